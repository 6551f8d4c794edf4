import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessQueue, type TaskDispatch } from './in-process-queue.js';

type Call = Parameters<TaskDispatch>[0];

let dir: string;
let file: string;
const cleanups: (() => void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'queue-'));
  file = join(dir, 'local.db');
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function open() {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  return db;
}

function queueOn(db: DatabaseSync, dispatch: TaskDispatch) {
  const calls: Call[] = [];
  const queue = new InProcessQueue({
    db,
    pollMs: 5,
    dispatch: (call) => {
      calls.push(call);
      return dispatch(call);
    },
  });
  cleanups.push(() => void queue.stop());
  return { queue, calls };
}

describe('InProcessQueue across restarts', () => {
  it('persists a task before enqueue returns, so a queue on the reopened database runs it', async () => {
    const first = open();
    const a = queueOn(first, async () => ({ status: 200 }));
    await a.queue.enqueue({ name: 'plan-r1', path: '/tasks/plan', payload: { runId: 'r1' } });
    first.close(); // the process dies before it ever started dispatching

    const second = open();
    const b = queueOn(second, async () => ({ status: 200 }));
    expect(b.queue.counts()).toEqual({ pending: 1, running: 0, dead: 0 });
    b.queue.start();
    await b.queue.idle();
    expect(b.calls).toEqual([
      { path: '/tasks/plan', payload: { runId: 'r1' }, name: 'plan-r1', attempt: 1 },
    ]);
    await b.queue.stop();
    second.close();
  });

  it('dispatches again a task that a killed process left running', async () => {
    const first = open();
    let dispatched!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      dispatched = resolve;
    });
    const a = queueOn(first, () => {
      dispatched();
      return new Promise(() => {}); // killed mid-flight: never answers
    });
    a.queue.start();
    await a.queue.enqueue({ name: 'batch-r1-0', path: '/tasks/batch', payload: { batchNo: 0 } });
    await inFlight;
    void a.queue.stop(); // takes nothing more; the hung attempt never finishes

    const second = open();
    const b = queueOn(second, async () => ({ status: 200 }));
    expect(b.queue.counts()).toEqual({ pending: 0, running: 1, dead: 0 });
    b.queue.start();
    await b.queue.idle();
    expect(b.calls).toEqual([
      { path: '/tasks/batch', payload: { batchNo: 0 }, name: 'batch-r1-0', attempt: 2 },
    ]);
    expect(b.queue.counts()).toEqual({ pending: 0, running: 0, dead: 0 });
    expect(a.calls).toHaveLength(1);
    await b.queue.stop();
    second.close();
  });
});
