import { describe, expect, it } from 'vitest';
import { aRun } from '../../test/contract/store-contract.js';
import {
  fakeGmail,
  STARTED,
  senderBatch,
  setup,
} from '../../test/helpers/trash-outbox-fixtures.js';
import type { Task } from '../domain/ports.js';
import { SYNC_TRASH_MAX_WAIT_MS, SYNC_TRASH_QUIET_MS } from './job-deps.js';
import { processBatch } from './process-batch.js';
import { flushSyncTrash } from './trash-outbox.js';

/**
 * Syncs of one user, each a run of one planned batch of `size` old list promotions, decided
 * `gapMs` apart; the delayed flush tasks they queue are run at their due times, in order.
 */
async function syncs(count: number, gapMs: number, size = 2) {
  const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
  // Before a sync's flush, the labels added since its cursor are read once more: none here.
  gmail.mailbox.labelsAdded = async () => ({ added: [], nextPageToken: undefined });
  const first = await setup([senderBatch(0, size)], gmail, 'incremental');
  const { store, user, deps, tasks, clock } = first;
  const runs = [first.run];
  for (let i = 1; i < count; i++) {
    const run = aRun({
      userId: user.id,
      kind: 'incremental',
      status: 'PROCESSING',
      startedAt: STARTED,
      startHistoryId: '500',
    });
    await store.createRun(run);
    await store.putBatches(run.id, [{ ...senderBatch(i, size), batchNo: 0 }]);
    runs.push(run);
  }
  const due: { at: number; task: Task }[] = [];
  const flushes: { at: number; oldestWaited: number }[] = [];
  const decidedAt: number[] = [];
  const runDue = async (until: number) => {
    for (;;) {
      const next = due.filter((d) => d.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) return;
      due.splice(due.indexOf(next), 1);
      clock.now = Math.max(clock.now, next.at);
      const calls = gmail.trashCalls.length;
      const oldest = decidedAt.find((_, i) => !flushedRuns.has(i));
      const { userId, after } = next.task.payload as { userId: string; after: number };
      await flushSyncTrash(deps, userId, after);
      if (gmail.trashCalls.length > calls) {
        flushes.push({ at: clock.now, oldestWaited: clock.now - (oldest ?? clock.now) });
        for (const [i] of decidedAt.entries()) flushedRuns.add(i);
      }
    }
  };
  const flushedRuns = new Set<number>();
  for (const [i, run] of runs.entries()) {
    await runDue(clock.now);
    await store.finishPlanning(run.id, 1, size, clock.now);
    const before = tasks.length;
    await processBatch(deps, run.id, 0);
    decidedAt.push(clock.now);
    for (const task of tasks.slice(before)) {
      if (task.path === '/tasks/flush-trash')
        due.push({ at: clock.now + (task.delayMs ?? 0), task });
    }
    if (i < runs.length - 1) {
      await runDue(clock.now + gapMs - 1);
      clock.now += gapMs;
    }
  }
  await runDue(Number.POSITIVE_INFINITY);
  const statuses = await Promise.all(runs.map(async (r) => (await store.getRun(r.id))?.status));
  return { gmail, flushes, statuses, decidedAt };
}

describe('the trash of syncs', () => {
  it('goes to Gmail in one batchModify for a burst, once no sync has queued trash for a while', async () => {
    const { gmail, flushes, statuses, decidedAt } = await syncs(4, 4_000);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([8]);
    expect(flushes).toHaveLength(1);
    expect(flushes[0]!.at).toBe(decidedAt.at(-1)! + SYNC_TRASH_QUIET_MS);
    expect(statuses).toEqual(['DONE', 'DONE', 'DONE', 'DONE']);
  });

  it('goes a quiet spell after a lone sync', async () => {
    const { gmail, flushes, decidedAt } = await syncs(1, 0);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([2]);
    expect(flushes[0]!.at - decidedAt[0]!).toBe(SYNC_TRASH_QUIET_MS);
  });

  it('goes in separate calls for syncs further apart than the quiet spell', async () => {
    const { gmail } = await syncs(3, SYNC_TRASH_QUIET_MS + 1_000);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([2, 2, 2]);
  });

  it('waits at most a minute while syncs keep coming', async () => {
    // A sync every 5 s for two minutes: the quiet spell never comes.
    const { gmail, flushes, statuses } = await syncs(25, 5_000);
    expect(flushes.length).toBeGreaterThanOrEqual(2);
    expect(flushes.length).toBeLessThanOrEqual(3);
    for (const flush of flushes)
      expect(flush.oldestWaited).toBeLessThanOrEqual(SYNC_TRASH_MAX_WAIT_MS);
    expect(gmail.trashCalls.flat()).toHaveLength(50);
    expect(new Set(gmail.trashCalls.flat()).size).toBe(50);
    expect(statuses.every((s) => s === 'DONE')).toBe(true);
  });
});
