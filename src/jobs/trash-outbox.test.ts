import { describe, expect, it } from 'vitest';
import {
  fakeGmail,
  STARTED,
  sample,
  senderBatch,
  setup,
} from '../../test/helpers/trash-outbox-fixtures.js';
import type { PlannedBatch } from '../domain/model.js';
import { processBatch } from './process-batch.js';
import { flushTrash } from './trash-outbox.js';

describe('the trash outbox', () => {
  it('trashes the batches of many senders in one batchModify when the plan is done', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const { store, run, deps, tasks } = await setup(
      [0, 1, 2].map((n) => senderBatch(n, 3)),
      gmail,
    );
    await processBatch(deps, run.id, 0);
    await processBatch(deps, run.id, 1);
    // Decided, queued, not trashed and not counted yet; no timer task is left behind.
    expect(gmail.trashCalls).toEqual([]);
    expect((await store.getRun(run.id))?.batchesDone).toBe(0);
    expect(tasks.filter((t) => t.path === '/tasks/flush-trash')).toEqual([]);

    await store.finishPlanning(run.id, 3, 9, STARTED + 1000);
    await processBatch(deps, run.id, 2);
    expect(gmail.trashCalls).toHaveLength(1);
    expect(gmail.trashCalls[0]).toHaveLength(9);
    const done = await store.getRun(run.id);
    expect(done?.status).toBe('DONE');
    expect(done?.counters.trashed).toBe(9);
    expect(done?.counters.bytesTrashed).toBe(9000);
    expect(await store.queuedTrash(run.userId, 10)).toEqual([]);
  });

  it('flushes trash that has waited a minute when the run goes on', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const batches = [0, 1, 2].map((n) => senderBatch(n, 2));
    const { store, run, deps, clock } = await setup(batches, gmail);
    await processBatch(deps, run.id, 0);
    clock.now += 30_000;
    await processBatch(deps, run.id, 1);
    expect(gmail.trashCalls).toEqual([]);
    clock.now += 30_000;
    await processBatch(deps, run.id, 2);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([6]);
    expect((await store.getRun(run.id))?.batchesDone).toBe(3);
  });

  it('flushes what earlier batches queued when the last batch has nothing to trash', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const starred: PlannedBatch = {
      batchNo: 1,
      messageIds: ['s1', 's2'],
      nextPageToken: 'by-sender',
      listedThrough: 0,
      plan: { kind: 'protected', reason: 'starred' },
    };
    const { store, run, deps } = await setup([senderBatch(0, 3), starred], gmail);
    await store.finishPlanning(run.id, 2, 5, STARTED);
    await processBatch(deps, run.id, 0);
    expect(gmail.trashCalls).toEqual([]);
    await processBatch(deps, run.id, 1);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([3]);
    const done = await store.getRun(run.id);
    expect(done?.status).toBe('DONE');
    expect(done?.counters).toMatchObject({ trashed: 3, protected: 2, processed: 5 });
  });

  it('leaves a sync’s trash to its delayed flush even when its last batch has nothing to trash', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const starred: PlannedBatch = {
      batchNo: 1,
      messageIds: ['s1', 's2'],
      nextPageToken: 'by-sender',
      listedThrough: 0,
      plan: { kind: 'protected', reason: 'starred' },
    };
    // Before a sync's flush, the labels added since its cursor are read once more: none here.
    gmail.mailbox.labelsAdded = async () => ({ added: [], nextPageToken: undefined });
    const { store, run, deps, tasks } = await setup(
      [senderBatch(0, 3), starred],
      gmail,
      'incremental',
    );
    await store.finishPlanning(run.id, 2, 5, STARTED);
    await processBatch(deps, run.id, 0);
    await processBatch(deps, run.id, 1);
    // The next syncs' trash may still join it: one batchModify for all of them.
    expect(gmail.trashCalls).toEqual([]);
    expect(tasks.filter((t) => t.path === '/tasks/flush-trash')).toHaveLength(1);

    await flushTrash(deps, run.userId);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([3]);
    expect((await store.getRun(run.id))?.status).toBe('DONE');
  });

  it('flushes on the retry of a last batch whose flush failed after it was counted', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const starred: PlannedBatch = {
      batchNo: 1,
      messageIds: ['s1'],
      nextPageToken: 'by-sender',
      listedThrough: 0,
      plan: { kind: 'protected', reason: 'starred' },
    };
    const { store, run, deps } = await setup([senderBatch(0, 3), starred], gmail);
    await store.finishPlanning(run.id, 2, 4, STARTED);
    await processBatch(deps, run.id, 0);
    gmail.failTrashOnce = true;
    // The last batch is counted, then its flush of batch 0's trash fails: the task retries.
    await expect(processBatch(deps, run.id, 1)).rejects.toThrow('connection reset');
    expect((await store.getBatch(run.id, 1))?.status).toBe('done');
    await processBatch(deps, run.id, 1);
    expect((await store.queuedTrash(run.userId, 10)).length).toBe(0);
    const done = await store.getRun(run.id);
    expect(done?.status).toBe('DONE');
    expect(done?.counters).toMatchObject({ trashed: 3, protected: 1, processed: 4 });
  });

  it('keeps a run out of DONE until its trash is flushed, and then ends it', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const { store, run, deps } = await setup([senderBatch(0, 2)], gmail);
    await processBatch(deps, run.id, 0);
    const planned = await store.finishPlanning(run.id, 1, 2, STARTED + 1000);
    expect(planned?.status).toBe('DELETING');
    await flushTrash(deps, run.userId);
    expect((await store.getRun(run.id))?.status).toBe('DONE');
  });

  it('protects what was starred or replied to after the run started', async () => {
    const changed = {
      messageIds: new Set(['b0-m1']),
      marks: new Map([['t-b0-m2', 'sent' as const]]),
    };
    const gmail = fakeGmail(changed);
    const { store, run, deps } = await setup([senderBatch(0, 3)], gmail);
    await store.finishPlanning(run.id, 1, 3, STARTED);
    await processBatch(deps, run.id, 0);
    expect(gmail.trashCalls).toEqual([['b0-m0']]);
    const batch = await store.getBatch(run.id, 0);
    expect(batch?.decisions.map((d) => d.decision)).toEqual(['trash', 'protected', 'protected']);
    expect((await store.getRun(run.id))?.counters).toMatchObject({ trashed: 1, protected: 2 });
  });

  it('reads the candidates again when Gmail no longer has the history', async () => {
    const fresh = [
      sample('b0-m0', 'deals@shop0.example'),
      { ...sample('b0-m1', 'deals@shop0.example'), labelIds: ['CATEGORY_PROMOTIONS', 'STARRED'] },
    ];
    const gmail = fakeGmail('expired', fresh);
    const { store, run, deps } = await setup([senderBatch(0, 3)], gmail);
    await store.finishPlanning(run.id, 1, 3, STARTED);
    await processBatch(deps, run.id, 0);
    // 'b0-m2' could not be read again: it is gone, and nothing unknown is trashed.
    expect(gmail.trashCalls).toEqual([['b0-m0']]);
  });

  it('loses no id and counts nothing twice when a flush fails after Gmail trashed', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const { store, run, deps } = await setup([senderBatch(0, 2), senderBatch(1, 2)], gmail);
    await processBatch(deps, run.id, 0);
    await store.finishPlanning(run.id, 2, 4, STARTED);
    gmail.failTrashOnce = true;
    await expect(processBatch(deps, run.id, 1)).rejects.toThrow('connection reset');
    expect((await store.queuedTrash(run.userId, 10)).map((e) => e.batchNo)).toEqual([0, 1]);
    // The queue retries the batch task: its trash is queued already, and the flush repeats.
    await processBatch(deps, run.id, 1);
    await flushTrash(deps, run.userId);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([4, 4]);
    const done = await store.getRun(run.id);
    expect(done?.counters.trashed).toBe(4);
    expect(done?.batchesDone).toBe(2);
    expect(done?.status).toBe('DONE');
  });

  it('carries at most 1,000 ids a call, whole batches, and flushes the rest in the same task', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const batches = [0, 1, 2].map((n) => senderBatch(n, 400));
    const { store, run, deps, tasks } = await setup(batches, gmail);
    await processBatch(deps, run.id, 0);
    await processBatch(deps, run.id, 1);
    // 1,200 ids queued: full. The first flush takes two whole batches (800 ids), the next
    // round the last one, before the task ends: no flush task runs beside the batch chain.
    await processBatch(deps, run.id, 2);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([800, 400]);
    expect(tasks.some((t) => t.path === '/tasks/flush-trash')).toBe(false);
    expect(await store.queuedTrash(run.userId, 10)).toEqual([]);
    expect((await store.getRun(run.id))?.counters.trashed).toBe(1200);
  });

  it('queues the next batch only after the decided batch has flushed its trash', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const batches = [0, 1].map((n) => senderBatch(n, 500));
    const { run, deps, tasks } = await setup(batches, gmail);
    const trashCallsWhenQueued: number[] = [];
    const enqueue = deps.queue.enqueue.bind(deps.queue);
    deps.queue.enqueue = async (task) => {
      if (task.path === '/tasks/batch') trashCallsWhenQueued.push(gmail.trashCalls.length);
      return enqueue(task);
    };
    // A full batch (500 messages) flushes at once: its trash call comes before batch 1's task.
    await processBatch(deps, run.id, 0);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([500]);
    expect(trashCallsWhenQueued).toEqual([1]);
    expect(tasks.some((t) => t.path === '/tasks/batch')).toBe(true);
  });

  it('drops the queued trash of a cancelled run without trashing it', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const { store, run, deps } = await setup([senderBatch(0, 2), senderBatch(1, 2)], gmail);
    await processBatch(deps, run.id, 0);
    await store.updateRun(run.id, ['PROCESSING'], { status: 'CANCELLED', endedAt: STARTED });
    await flushTrash(deps, run.userId);
    expect(gmail.trashCalls).toEqual([]);
    expect(await store.queuedTrash(run.userId, 10)).toEqual([]);
  });
});
