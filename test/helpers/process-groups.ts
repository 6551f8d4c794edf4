import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/**
 * The process groups the emulators run in, killed with this test process however it ends: an
 * `exit`/signal handler kills them, and a watchdog shell per group does after a SIGKILL.
 */

const STOP_GRACE_MS = 5_000;

/** Process groups still running, with their watchdogs, killed if this process goes away. */
const live = new Map<number, { readonly watchdog: ChildProcess }>();
let handlersInstalled = false;

/**
 * A shell in its own group that blocks reading a pipe from this process. The pipe closes when
 * this process dies, however it dies; the shell then kills the emulator's group.
 */
function startWatchdog(pgid: number): ChildProcess {
  const script = `read -r _; kill -TERM "-${pgid}" 2>/dev/null || exit 0; sleep ${STOP_GRACE_MS / 1000}; kill -KILL "-${pgid}" 2>/dev/null; exit 0`;
  const watchdog = spawn('/bin/sh', ['-c', script], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  unrefStream(watchdog.stdin);
  return watchdog;
}

export async function stopGroup(pgid: number, child: ChildProcess): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  if (!(await waitForGroupExit(pgid, STOP_GRACE_MS))) {
    signalGroup(pgid, 'SIGKILL');
    await waitForGroupExit(pgid, STOP_GRACE_MS);
  }
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      setTimeout(done, 1_000).unref();
    });
  }
  const entry = live.get(pgid);
  live.delete(pgid);
  if (entry) killQuietly(entry.watchdog.pid, 'SIGKILL');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone already.
  }
}

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((done) => setTimeout(done, 50));
  }
  return true;
}

/**
 * Whether any process of the group still runs. Zombies do not count: an orphaned java may stay
 * a zombie when PID 1 does not reap (as in some sandboxes), and kill(-pgid, 0) would see it.
 */
async function groupAlive(pgid: number): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function killAllNow(): void {
  for (const [pgid, { watchdog }] of live) {
    signalGroup(pgid, 'SIGKILL');
    killQuietly(watchdog.pid, 'SIGKILL');
  }
  live.clear();
}

export function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAllNow();
      // Alone on this signal: keep its default meaning (terminate) by raising it again.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

export function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}

/** Kills `pgid` with this process: by the exit handlers, and by a watchdog after a SIGKILL. */
export function guardGroup(pgid: number): void {
  const watchdog = startWatchdog(pgid);
  live.set(pgid, { watchdog });
}
