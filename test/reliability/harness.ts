import type { Run } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import type { SimulatedGoogleOptions } from '../../src/local/google/simulated-google.js';
import type { Logger } from '../../src/log.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from '../helpers/fake-openai.js';
import { type StartedService, signIn, startLocalService } from '../helpers/local-service.js';
import { type RunningGoogle, startSimulatedGoogle } from '../helpers/simulated-google.js';
import { timeWarp } from '../helpers/time-warp.js';

export type Strategy = 'by-sender' | 'by-message';

export interface Harness {
  readonly owner: string;
  readonly google: RunningGoogle;
  readonly started: StartedService;
  readonly fake: FakeOpenAi | undefined;
  readonly userId: string;
  /** Every history cursor the store held, in order, for this user. */
  readonly cursors: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly owner: string;
  readonly size: number;
  readonly seed: number;
  readonly strategy: Strategy;
  /** Classify with the fake OpenAI (true) or the rules (false). */
  readonly llm: boolean;
  readonly env?: Record<string, string>;
  readonly google?: Partial<SimulatedGoogleOptions>;
  /** Waits and backoffs run this many times faster than real time (default 50). */
  readonly warp?: number;
  /** Start the task queue (default true); without it, tests deliver the tasks themselves. */
  readonly startQueue?: boolean;
  readonly log?: Logger;
}

/**
 * The local service in-process against a simulated Google (and the fake OpenAI), one user
 * signed in with a key or the rules. The service runs on a warped clock (retry backoffs, quota
 * waits, the queue's delays), so a run that survives hundreds of faults still ends in seconds;
 * Google keeps real time.
 */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const google = await startSimulatedGoogle(
    [{ email: options.owner, mailbox: { size: options.size, seed: options.seed } }],
    { userUnitsPerMinute: 100_000_000, seed: options.seed, ...options.google },
  );
  const fake = options.llm ? await startFakeOpenAi() : undefined;
  const warp = timeWarp(options.warp ?? 50);
  const started = await startLocalService(google, {
    env: {
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      SCAN_STRATEGY: options.strategy,
      OPENAI_TIMEOUT_MS: '1000',
      ...(fake ? { OPENAI_BASE_URL: fake.baseUrl } : {}),
      ...options.env,
    },
    timing: { clock: warp.clock, sleep: warp.sleep },
    // The queue's retry delays too: a task Gmail refused waits its Retry-After in warped time.
    clock: warp.clock,
    startQueue: options.startQueue ?? true,
    ...(options.log ? { log: options.log } : {}),
  });
  await signIn(started.client);
  const saved = await started.client.post(
    '/app/openai-key',
    fake ? { apiKey: VALID_KEY } : { rulesOnly: '1' },
  );
  if (saved.status !== 303) throw new Error(`key not saved: ${saved.status}`);
  const userId = google.google.account(options.owner).sub;
  const cursors = recordCursors(started.service.store, userId);
  return {
    owner: options.owner,
    google,
    started,
    fake,
    userId,
    cursors,
    close: async () => {
      await started.close();
      await fake?.close();
      await google.close();
    },
  };
}

/** Starts a full scan through the web form, as the user would; returns the run id. */
export async function startScan(h: Harness): Promise<string> {
  const start = await h.started.client.post('/app/runs');
  if (start.status !== 303) throw new Error(`scan not started: ${start.status}`);
  return start.headers.get('location')!.replace('/runs/', '');
}

export async function waitForRun(
  store: Store,
  runId: string,
  until: (run: Run) => boolean = (run) => ['DONE', 'FAILED', 'CANCELLED'].includes(run.status),
  timeoutMs = 60_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await store.getRun(runId);
    if (run && until(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${run?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Wraps the store's writes to the user record so that every cursor it ever holds is seen, not
 * only those a poll happens to catch.
 */
export function recordCursors(store: Store, userId: string): string[] {
  const seen: string[] = [];
  const note = async () => {
    const cursor = (await store.getUser(userId))?.cursor?.historyId;
    if (cursor !== undefined && cursor !== seen.at(-1)) seen.push(cursor);
  };
  const wrap = <K extends 'advanceCursor' | 'updateUser' | 'putUser'>(name: K) => {
    const original = store[name].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<K, unknown>)[name] = async (...args: unknown[]) => {
      const result = await original(...args);
      await note();
      return result;
    };
  };
  wrap('advanceCursor');
  wrap('updateUser');
  wrap('putUser');
  return seen;
}

/** Whether history ids only ever grew. */
export function neverBackward(cursors: readonly string[]): boolean {
  return cursors.every((c, i) => i === 0 || BigInt(c) >= BigInt(cursors[i - 1]!));
}
