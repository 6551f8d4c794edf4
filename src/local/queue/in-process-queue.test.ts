import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../log.js';
import {
  InProcessQueue,
  type InProcessQueueOptions,
  type TaskDispatch,
} from './in-process-queue.js';

type Call = Parameters<TaskDispatch>[0];

class ManualClock {
  constructor(private at = 1_000_000) {}
  now = () => this.at;
  advance(ms: number) {
    this.at += ms;
  }
  set(at: number) {
    this.at = at;
  }
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const queues: InProcessQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});

function setup(dispatch: TaskDispatch, options: Partial<InProcessQueueOptions> = {}) {
  const db = new DatabaseSync(':memory:');
  const clock = new ManualClock();
  const calls: Call[] = [];
  const queue = new InProcessQueue({
    db,
    clock,
    pollMs: 5,
    random: () => 0.5,
    ...options,
    dispatch: (call) => {
      calls.push(call);
      return dispatch(call);
    },
  });
  queues.push(queue);
  const row = (name: string) =>
    db.prepare('SELECT * FROM queue_tasks WHERE name = ?').get(name) as
      | { status: string; attempts: number; due_at: number; last_error: string | null }
      | undefined;
  /** Runs everything, moving the clock to each retry as it falls due. */
  const drain = async () => {
    for (;;) {
      await queue.idle();
      const next = db
        .prepare(`SELECT MIN(due_at) AS at FROM queue_tasks WHERE status = 'pending'`)
        .get() as { at: number | null };
      if (next.at === null) return;
      clock.set(Math.max(clock.now(), next.at));
    }
  };
  return { db, clock, calls, queue, row, drain };
}

const ok: TaskDispatch = async () => ({ status: 204 });
const failing: TaskDispatch = async () => ({ status: 500 });

describe('InProcessQueue', () => {
  it('dispatches a task to its path with its payload, name and attempt number', async () => {
    const { queue, calls, row } = setup(ok);
    queue.start();
    await queue.enqueue({ name: 'plan-1', path: '/tasks/plan', payload: { runId: 'r1' } });
    await queue.idle();
    expect(calls).toEqual([
      { path: '/tasks/plan', payload: { runId: 'r1' }, name: 'plan-1', attempt: 1 },
    ]);
    expect(row('plan-1')?.status).toBe('done');
    expect(queue.counts()).toEqual({ pending: 0, running: 0, dead: 0 });
  });

  it('gives unnamed tasks their own random names', async () => {
    const { queue, calls } = setup(ok);
    queue.start();
    await queue.enqueue({ path: '/tasks/sync', payload: { userId: 'u1' } });
    await queue.enqueue({ path: '/tasks/sync', payload: { userId: 'u1' } });
    await queue.idle();
    expect(calls).toHaveLength(2);
    expect(calls[0]?.name).not.toBe(calls[1]?.name);
  });

  it('dedupes by name while queued, running, and recently done, and accepts it after the window', async () => {
    const release = deferred<{ status: number }>();
    const started = deferred();
    const { queue, calls, clock, db } = setup(
      async (call) => {
        if (call.payload.n !== 1) return { status: 200 };
        started.resolve();
        return release.promise;
      },
      { dedupeWindowMs: 60 * 60_000 },
    );
    const task = (n: number) => ({ name: 'sync-u1', path: '/tasks/sync', payload: { n } });
    await queue.enqueue(task(1));
    await queue.enqueue(task(2)); // queued
    expect(queue.counts().pending).toBe(1);
    queue.start();
    await started.promise;
    await queue.enqueue(task(3)); // running
    release.resolve({ status: 200 });
    await queue.idle();
    clock.advance(60 * 60_000 - 1);
    await queue.enqueue(task(4)); // done within the window
    await queue.idle();
    expect(calls.map((c) => c.payload.n)).toEqual([1]);

    clock.advance(1);
    await queue.enqueue(task(5));
    await queue.idle();
    expect(calls.map((c) => c.payload.n)).toEqual([1, 5]);

    clock.advance(60 * 60_000);
    await queue.enqueue({ path: '/tasks/other', payload: {} });
    await queue.idle();
    const names = db.prepare('SELECT name FROM queue_tasks').all();
    expect(names).not.toContainEqual({ name: 'sync-u1' }); // pruned once the window passed
  });

  it('holds a delayed task back until its time', async () => {
    const { queue, calls, clock } = setup(ok);
    queue.start();
    await queue.enqueue({ name: 'later', path: '/tasks/watch', payload: {}, delayMs: 5_000 });
    await queue.idle();
    clock.advance(4_999);
    await sleep(20);
    await queue.idle();
    expect(calls).toHaveLength(0);
    expect(queue.counts().pending).toBe(1);
    clock.advance(1);
    await queue.idle();
    expect(calls.map((c) => c.name)).toEqual(['later']);
  });

  it('dispatches due tasks in the order they fell due', async () => {
    const { queue, calls, clock } = setup(ok, { concurrency: 1 });
    for (const [name, delayMs] of [
      ['c', 300],
      ['a', 100],
      ['b', 200],
    ] as const) {
      await queue.enqueue({ name, path: '/tasks/batch', payload: {}, delayMs });
    }
    clock.advance(1_000);
    queue.start();
    await queue.idle();
    expect(calls.map((c) => c.name)).toEqual(['a', 'b', 'c']);
  });

  it('retries with growing backoff and jitter', async () => {
    const { queue, calls, clock, row } = setup(
      async (call) => ({ status: call.attempt < 5 ? 500 : 200 }),
      { minBackoffMs: 1_000, maxBackoffMs: 8_000, random: () => 0.5 },
    );
    queue.start();
    await queue.enqueue({ name: 'flaky', path: '/tasks/batch', payload: {} });
    const waits: number[] = [];
    for (let attempt = 1; attempt < 5; attempt++) {
      await queue.idle();
      const wait = row('flaky')!.due_at - clock.now();
      waits.push(wait);
      expect(row('flaky')).toMatchObject({ status: 'pending', attempts: attempt });
      expect(row('flaky')?.last_error).toBe('status 500');
      clock.advance(wait - 1);
      await queue.idle();
      expect(calls).toHaveLength(attempt); // not a moment early
      clock.advance(1);
    }
    await queue.idle();
    // Halfway between the 1 s floor and a ceiling of 2, 4, 8, then (capped) 8 seconds.
    expect(waits).toEqual([1_500, 2_500, 4_500, 4_500]);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(row('flaky')?.status).toBe('done');
  });

  it('waits at least retryAfterMs after a 429 or 503 answer', async () => {
    const answers = [
      { status: 429, retryAfterMs: 60_000 },
      { status: 503, retryAfterMs: 10 },
      { status: 200 },
    ];
    const { queue, clock, row } = setup(async (call) => answers[call.attempt - 1]!);
    queue.start();
    await queue.enqueue({ name: 'quota', path: '/tasks/batch', payload: {} });
    await queue.idle();
    expect(row('quota')!.due_at - clock.now()).toBe(60_000);
    clock.advance(60_000);
    await queue.idle();
    expect(row('quota')!.due_at - clock.now()).toBe(2_500); // backoff exceeds the hint
    clock.advance(2_500);
    await queue.idle();
    expect(row('quota')?.status).toBe('done');
  });

  it('dead-letters a task after maxAttempts and keeps it', async () => {
    const lines: string[] = [];
    const { queue, calls, row, drain } = setup(failing, {
      maxAttempts: 3,
      log: createLogger('info', (line) => lines.push(line)),
    });
    queue.start();
    await queue.enqueue({ name: 'doomed', path: '/tasks/batch', payload: {} });
    await drain();
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(row('doomed')).toMatchObject({ status: 'dead', attempts: 3, last_error: 'status 500' });
    expect(queue.counts()).toEqual({ pending: 0, running: 0, dead: 1 });
    const dead = lines.map((l) => JSON.parse(l)).find((l) => l.message === 'task dead-lettered');
    expect(dead).toMatchObject({ severity: 'ERROR', task: 'doomed', attempt: 3 });
  });

  it('never has more than the configured number of dispatches in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const { queue, calls } = setup(
      async () => {
        most = Math.max(most, ++inFlight);
        await sleep(5);
        inFlight--;
        return { status: 200 };
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 12; i++) await queue.enqueue({ path: '/tasks/batch', payload: { i } });
    queue.start();
    await queue.idle();
    expect(calls).toHaveLength(12);
    expect(most).toBe(3);
  });

  it('waits in stop() for in-flight work and dispatches nothing after', async () => {
    const releases = [deferred<{ status: number }>(), deferred<{ status: number }>()];
    const bothStarted = deferred();
    const { queue, calls } = setup(
      (call) => {
        if (calls.length === 2) bothStarted.resolve();
        return releases[calls.length - 1]?.promise ?? ok(call);
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 4; i++) await queue.enqueue({ path: '/tasks/batch', payload: { i } });
    queue.start();
    await bothStarted.promise;
    let stopped = false;
    const stopping = queue.stop().then(() => {
      stopped = true;
    });
    await sleep(20);
    expect(stopped).toBe(false);
    for (const release of releases) release.resolve({ status: 200 });
    await stopping;
    await queue.enqueue({ path: '/tasks/batch', payload: { i: 4 } });
    await sleep(50);
    expect(calls).toHaveLength(2);
    expect(queue.counts()).toEqual({ pending: 3, running: 0, dead: 0 });
  });

  it('retries a thrown dispatch error and logs it without the payload', async () => {
    const lines: string[] = [];
    const { queue, calls, row, drain } = setup(
      async (call) => {
        if (call.attempt === 1) throw new Error('handler exploded');
        return { status: 204 };
      },
      { log: createLogger('debug', (line) => lines.push(line)) },
    );
    queue.start();
    const payload = { address: 'alice@example.com', subject: 'Quarterly secret plans' };
    await queue.enqueue({ name: 'sync-alice', path: '/tasks/sync', payload });
    await drain();
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(row('sync-alice')?.status).toBe('done');
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.severity === 'WARNING');
    expect(warning).toMatchObject({ task: 'sync-alice', reason: 'Error: handler exploded' });
    expect(lines.join('\n')).not.toMatch(/alice@example\.com|secret plans/i);
  });

  it('refuses a payload over 100 KB, as Cloud Tasks does', async () => {
    const { queue } = setup(ok);
    const payload = { ids: 'x'.repeat(101 * 1024) };
    await expect(queue.enqueue({ path: '/tasks/batch', payload })).rejects.toThrow(/100|bytes/);
    expect(queue.counts().pending).toBe(0);
  });
});
