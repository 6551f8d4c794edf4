import { describe, expect, it } from 'vitest';
import { aDecision, aRun, someCounters } from '../../test/contract/store-contract.js';
import type { Run } from '../domain/model.js';
import type { Task } from '../domain/ports.js';
import { RUN_PAUSE_MESSAGES } from '../domain/run-pauses.js';
import { dailyQuotaWait } from '../domain/scan-waits.js';
import { openDatabase } from '../local/sqlite/open-database.js';
import { SqliteStore } from '../local/sqlite/sqlite-store.js';
import { silentLogger } from '../log.js';
import type { JobDeps } from './job-deps.js';
import { resumeStalledRuns, STALLED_AFTER_MS, STALLED_NOTE } from './stalled-runs.js';

const NOW = Date.UTC(2026, 11, 3, 12);
const HOUR = 3_600_000;

function setup() {
  const store = new SqliteStore(openDatabase(':memory:'));
  const tasks: Task[] = [];
  const deps = {
    store,
    queue: { enqueue: async (task: Task) => void tasks.push(task) },
    clock: { now: () => NOW },
    log: silentLogger,
  } as unknown as JobDeps;
  return { store, tasks, deps };
}

/** A run with `done` of its `count` batches counted (one message each). */
async function aRunWithBatches(store: SqliteStore, run: Run, count: number, done: number) {
  await store.createRun(run);
  await store.putBatches(
    run.id,
    Array.from({ length: count }, (_, batchNo) => ({
      batchNo,
      messageIds: [`${run.id}-m${batchNo}`],
      nextPageToken: null,
      listedThrough: batchNo + 1,
    })),
  );
  for (let batchNo = 0; batchNo < done; batchNo++) {
    await store.completeBatch({
      runId: run.id,
      batchNo,
      decisions: [aDecision({ id: `${run.id}-m${batchNo}`, decision: 'keep' })],
      counters: someCounters({ processed: 1, kept: 1 }),
      llm: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      now: NOW,
    });
  }
}

describe('the daily check for stalled runs', () => {
  it('queues again the work of a run a lost task held up for a day, and says so in its log', async () => {
    const { store, tasks, deps } = setup();
    const started = NOW - STALLED_AFTER_MS - HOUR;
    const stuck = aRun({
      status: 'DELETING',
      scheduledAt: started,
      startedAt: started,
      batchCount: 3,
    });
    await aRunWithBatches(store, stuck, 3, 1);

    expect(await resumeStalledRuns(deps)).toBe(1);

    const names = tasks.map((t) => t.name);
    // The plan task (which ends a planned run once counted) and the first batch not done.
    expect(names).toEqual([
      expect.stringMatching(new RegExp(`^plan-${stuck.id}-resume-`)),
      expect.stringMatching(new RegExp(`^batch-${stuck.id}-1-resume-`)),
    ]);
    expect(tasks[1]!.payload).toEqual({ runId: stuck.id, batchNo: 1 });
    expect((await store.getRun(stuck.id))?.errors.at(-1)?.message).toBe(STALLED_NOTE);
  });

  it('leaves young runs, paused runs, final runs and scans waiting for the daily budget alone', async () => {
    const { store, tasks, deps } = setup();
    const dayAgo = NOW - STALLED_AFTER_MS - HOUR;
    const young = aRun({ status: 'PROCESSING', scheduledAt: NOW - HOUR, startedAt: NOW - HOUR });
    await aRunWithBatches(store, young, 2, 0);
    const paused = aRun({
      status: 'PROCESSING',
      scheduledAt: dayAgo,
      startedAt: dayAgo,
      errors: [{ at: dayAgo, message: RUN_PAUSE_MESSAGES.google_access }],
    });
    await aRunWithBatches(store, paused, 2, 0);
    const done = aRun({ status: 'DONE', scheduledAt: dayAgo, startedAt: dayAgo, batchCount: 1 });
    await aRunWithBatches(store, done, 1, 1);
    const waiting = aRun({
      status: 'QUEUED',
      scheduledAt: dayAgo,
      errors: [{ at: dayAgo, message: dailyQuotaWait(NOW + HOUR) }],
    });
    await store.createRun(waiting);

    expect(await resumeStalledRuns(deps)).toBe(0);
    expect(tasks).toEqual([]);
  });

  it('queues the plan of a scan still waiting a day past its planned start', async () => {
    const { store, tasks, deps } = setup();
    const start = NOW - STALLED_AFTER_MS - HOUR;
    const late = aRun({
      status: 'QUEUED',
      scheduledAt: start - 12 * HOUR,
      errors: [{ at: start - 12 * HOUR, message: dailyQuotaWait(start) }],
    });
    await store.createRun(late);

    expect(await resumeStalledRuns(deps)).toBe(1);
    expect(tasks.map((t) => t.name)).toEqual([
      expect.stringMatching(new RegExp(`^plan-${late.id}-resume-`)),
    ]);
  });
});
