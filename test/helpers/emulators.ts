import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expectOk } from './emulator-rest.js';
import { guardGroup, installExitHandlers, stopGroup, unrefStream } from './process-groups.js';

/**
 * Google's real Cloud emulators (shipped with the Cloud SDK), started on 127.0.0.1 for tests.
 *
 * Each emulator runs in its own process group (the Firestore wrapper is bash with java as its
 * child), so stopping kills the whole group: SIGTERM, then SIGKILL after a grace period. If the
 * test process dies first, an `exit`/signal handler kills the groups, and a small watchdog
 * shell that waits for EOF on a pipe from this process does the same after a SIGKILL.
 */

export type EmulatorKind = 'pubsub' | 'firestore';

export interface PubsubEmulator {
  /** 127.0.0.1:PORT, for PUBSUB_EMULATOR_HOST; it serves REST and gRPC on that port. */
  readonly host: string;
  readonly project: string;
  stop(): Promise<void>;
}

export interface FirestoreEmulator {
  /** 127.0.0.1:PORT, for FIRESTORE_EMULATOR_HOST. */
  readonly host: string;
  readonly project: string;
  /** Deletes every document of the project's default database. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  readonly project?: string;
  /** How long to wait for the readiness line (default 60 s). */
  readonly startTimeoutMs?: number;
}

const DEFAULT_PROJECT = 'demo-clean-that-up';
const FALLBACK_SDK_ROOT = '/usr/lib/google-cloud-sdk';
const DEFAULT_START_TIMEOUT_MS = 60_000;
const OUTPUT_LINES_KEPT = 40;

const BINARIES: Record<EmulatorKind, string> = {
  pubsub: 'platform/pubsub-emulator/bin/cloud-pubsub-emulator',
  firestore: 'platform/cloud-firestore-emulator/cloud_firestore_emulator',
};

let sdkRootPromise: Promise<string> | undefined;

/** The Cloud SDK root, asked of gcloud once (offline, no prompts), else the Debian package's. */
export function sdkRoot(): Promise<string> {
  sdkRootPromise ??= new Promise((resolve) => {
    execFile(
      'gcloud',
      ['info', '--format=value(installation.sdk_root)'],
      {
        timeout: 20_000,
        env: {
          ...process.env,
          CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
          CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
          CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
          CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
        },
      },
      (error, stdout) => {
        const root = String(stdout).trim();
        resolve(error || !root ? FALLBACK_SDK_ROOT : root);
      },
    );
  });
  return sdkRootPromise;
}

/** The path of an emulator's launcher inside the Cloud SDK. */
export async function emulatorBinary(kind: EmulatorKind): Promise<string> {
  return join(await sdkRoot(), BINARIES[kind]);
}

/** Whether the emulator is installed. It is on our machines and in CI: do not skip on false there. */
export async function emulatorAvailable(kind: EmulatorKind): Promise<boolean> {
  try {
    await access(await emulatorBinary(kind), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startPubsubEmulator(options: EmulatorOptions = {}): Promise<PubsubEmulator> {
  const project = options.project ?? DEFAULT_PROJECT;
  const running = await startEmulator({
    kind: 'pubsub',
    args: (port) => ['--host=127.0.0.1', `--port=${port}`],
    ready: (line, port) => line.includes(`Server started, listening on ${port}`),
    timeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
  });
  return { host: running.host, project, stop: running.stop };
}

export async function startFirestoreEmulator(
  options: EmulatorOptions = {},
): Promise<FirestoreEmulator> {
  const project = options.project ?? DEFAULT_PROJECT;
  const running = await startEmulator({
    kind: 'firestore',
    args: (port) => ['--host', '127.0.0.1', '--port', String(port)],
    ready: (line) => line.includes('Dev App Server is now running.'),
    timeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
  });
  return {
    host: running.host,
    project,
    reset: async () => {
      const url = `http://${running.host}/emulator/v1/projects/${project}/databases/(default)/documents`;
      await expectOk(await fetch(url, { method: 'DELETE' }), `DELETE ${url}`);
    },
    stop: running.stop,
  };
}

// --- Processes ---

interface StartSpec {
  readonly kind: EmulatorKind;
  readonly args: (port: number) => string[];
  readonly ready: (line: string, port: number) => boolean;
  readonly timeoutMs: number;
}

interface Running {
  readonly host: string;
  stop(): Promise<void>;
}

async function startEmulator(spec: StartSpec): Promise<Running> {
  const binary = await emulatorBinary(spec.kind);
  if (!(await emulatorAvailable(spec.kind))) {
    throw new Error(`the ${spec.kind} emulator is not installed (no executable ${binary})`);
  }
  // The free port can be taken between probing and binding: try again on a bind failure.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(spec, binary, port);
    } catch (error) {
      if (!(error instanceof BindError) || attempt >= 3) throw error;
    }
  }
}

class BindError extends Error {}

function launch(spec: StartSpec, binary: string, port: number): Promise<Running> {
  installExitHandlers();
  const child = spawn(binary, spec.args(port), {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
  });
  const pgid = child.pid;
  const lines: string[] = [];
  const lastLines = () => (lines.length > 0 ? lines.join('\n') : '(no output)');

  return new Promise<Running>((resolve, reject) => {
    if (pgid === undefined) {
      child.once('error', (error) =>
        reject(new Error(`cannot start the ${spec.kind} emulator (${binary}): ${error.message}`)),
      );
      return;
    }
    guardGroup(pgid);

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= stopGroup(pgid, child);
      return stopping;
    };
    let settled = false;
    const fail = async (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      await stop();
      reject(error);
    };
    const timer = setTimeout(() => {
      void fail(
        new Error(
          `the ${spec.kind} emulator did not print its readiness line within ${spec.timeoutMs} ms; last output:\n${lastLines()}`,
        ),
      );
    }, spec.timeoutMs);

    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
      if (settled || !spec.ready(line, port)) return;
      settled = true;
      clearTimeout(timer);
      // Keep draining the pipes, but let the test process exit without stop().
      child.unref();
      unrefStream(child.stdout);
      unrefStream(child.stderr);
      resolve({ host: `127.0.0.1:${port}`, stop });
    };
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split(/\r?\n/);
        partial = parts.pop() ?? '';
        for (const line of parts) onLine(line);
      });
    }
    child.once('error', (error) => {
      void fail(new Error(`the ${spec.kind} emulator (${binary}) failed: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      const output = lastLines();
      const message = `the ${spec.kind} emulator exited (${signal ?? `code ${code}`}) before it was ready; last output:\n${output}`;
      void fail(
        /address already in use|BindException/i.test(output)
          ? new BindError(message)
          : new Error(message),
      );
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
