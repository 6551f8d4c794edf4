import { describe, expect, it } from 'vitest';
import { aRun, aUser } from '../../test/contract/store-contract.js';
import type { MessageMeta } from '../domain/message.js';
import type { BatchPlan, PlannedBatch, Run } from '../domain/model.js';
import type { Mailbox, ProtectedSince, Task } from '../domain/ports.js';
import { RulesClassifier } from '../domain/rules-classifier.js';
import { openDatabase } from '../local/sqlite/open-database.js';
import { SqliteStore } from '../local/sqlite/sqlite-store.js';
import { silentLogger } from '../log.js';
import type { JobDeps } from './job-deps.js';
import { processBatch } from './process-batch.js';
import { flushTrash } from './trash-outbox.js';

const STARTED = Date.UTC(2026, 10, 1);
const OLD = STARTED - 90 * 86_400_000;

const sample = (id: string, sender: string): MessageMeta => ({
  id,
  threadId: `t-${id}`,
  labelIds: ['CATEGORY_PROMOTIONS'],
  fromAddress: sender,
  fromName: 'Shop',
  subject: 'Sale',
  snippet: '',
  sizeEstimate: 1000,
  internalDate: OLD,
  listUnsubscribe: true,
  listId: null,
});

/** A batch of one list sender's old promotions: the rules trash it without reading. */
function senderBatch(batchNo: number, count: number): PlannedBatch {
  const ids = Array.from({ length: count }, (_, i) => `b${batchNo}-m${i}`);
  const sender = `deals@shop${batchNo}.example`;
  const plan: BatchPlan = {
    kind: 'sender',
    facts: { protectedBy: null, category: 'promotions', important: false, old: true },
    threadIds: ids.map((id) => `t-${id}`),
    sender,
    samples: [sample(ids[0]!, sender)],
  };
  return { batchNo, messageIds: ids, nextPageToken: 'by-sender', listedThrough: 0, plan };
}

interface FakeGmail {
  readonly mailbox: Mailbox;
  readonly trashCalls: string[][];
  failTrashOnce: boolean;
}

function fakeGmail(changed: ProtectedSince | 'expired', fresh: MessageMeta[] = []): FakeGmail {
  const unused = () => Promise.reject(new Error('not expected'));
  const gmail: FakeGmail = {
    trashCalls: [],
    failTrashOnce: false,
    mailbox: {
      profile: unused,
      headers: unused,
      labels: async () => [
        { id: 'STARRED', type: 'system' },
        { id: 'Label_1', type: 'user' },
      ],
      listIds: async () => ({ ids: [], nextPageToken: undefined }),
      labelsAdded: unused,
      getMetadata: async (ids) =>
        new Map(fresh.filter((m) => ids.includes(m.id)).map((m) => [m.id, m])),
      trash: async (ids) => {
        gmail.trashCalls.push([...ids]);
        if (gmail.failTrashOnce) {
          gmail.failTrashOnce = false;
          throw new Error('connection reset after the call went through');
        }
      },
      untrash: unused,
      history: unused,
      protectedSince: async () => changed,
      watch: unused,
      stop: unused,
    },
  };
  return gmail;
}

async function setup(batches: PlannedBatch[], gmail: FakeGmail, kind: Run['kind'] = 'full') {
  const store = new SqliteStore(openDatabase(':memory:'));
  const user = aUser();
  await store.putUser(user);
  const run = aRun({
    userId: user.id,
    kind,
    status: 'PROCESSING',
    startedAt: STARTED,
    startHistoryId: '500',
  });
  await store.createRun(run);
  await store.putBatches(run.id, batches);
  const tasks: Task[] = [];
  const clock = { now: STARTED + 1000 };
  const deps = {
    store,
    queue: { enqueue: async (task: Task) => void tasks.push(task) },
    classifierFor: async () => new RulesClassifier(),
    mailboxFor: async () => gmail.mailbox,
    clock: { now: () => clock.now },
    log: silentLogger,
    watchTopic: undefined,
  } as unknown as JobDeps;
  return { store, user, run, deps, tasks, clock };
}

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

  it('carries at most 1,000 ids a call, whole batches, and flushes the rest right after', async () => {
    const gmail = fakeGmail({ messageIds: new Set(), marks: new Map() });
    const batches = [0, 1, 2].map((n) => senderBatch(n, 400));
    const { store, run, deps, tasks } = await setup(batches, gmail);
    await processBatch(deps, run.id, 0);
    await processBatch(deps, run.id, 1);
    // 1,200 ids queued: full. The first flush takes two whole batches (800 ids).
    await processBatch(deps, run.id, 2);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([800]);
    expect(tasks.some((t) => t.path === '/tasks/flush-trash')).toBe(true);
    await flushTrash(deps, run.userId);
    expect(gmail.trashCalls.map((ids) => ids.length)).toEqual([800, 400]);
    expect((await store.getRun(run.id))?.counters.trashed).toBe(1200);
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
