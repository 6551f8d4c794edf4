import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  LlmUsage,
  MessageDecision,
  PlannedBatch,
  Run,
  RunCounters,
  SenderDecision,
  User,
} from '../../src/domain/model.js';
import { DEFAULT_POLICY, runState, ZERO_COUNTERS, ZERO_USAGE } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import type { CompleteBatch } from '../../src/domain/run-store.js';
import { describeReviewContract } from './store-contract-review.js';
import { describeSyncContract } from './store-contract-sync.js';
import { describeTrashOutboxContract } from './store-contract-trash.js';

/**
 * The behaviour every Store adapter must have. `open` is called before each test and must
 * give an empty store (the Firestore run clears its emulator); records still get unique ids.
 */

const T0 = 1_700_000_000_000;
let sequence = 0;
export const unique = (prefix: string) => `${prefix}-${++sequence}-${randomUUID().slice(0, 8)}`;

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: unique('user'),
    emailHash: unique('hash'),
    refreshToken: 'v1.key-1.aXY.dGFn.Y2lwaGVy',
    openAiKey: null,
    needsReconnect: false,
    policy: { ...DEFAULT_POLICY, keepSenders: ['@bank.example'], instructions: 'keep receipts' },
    watch: null,
    cursor: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function aRun(overrides: Partial<Run> = {}): Run {
  return {
    id: unique('run'),
    userId: unique('user'),
    kind: 'full',
    mode: 'auto',
    status: 'QUEUED',
    scheduledAt: T0,
    startedAt: null,
    endedAt: null,
    startHistoryId: null,
    total: 0,
    batchCount: null,
    batchesDone: 0,
    counters: ZERO_COUNTERS,
    llm: ZERO_USAGE,
    errors: [],
    appliedAt: null,
    ...overrides,
  };
}

export function someCounters(overrides: Partial<RunCounters> = {}): RunCounters {
  return { ...ZERO_COUNTERS, ...overrides };
}

export function someUsage(overrides: Partial<LlmUsage> = {}): LlmUsage {
  return { ...ZERO_USAGE, ...overrides };
}

export function aDecision(overrides: Partial<MessageDecision> = {}): MessageDecision {
  return {
    id: unique('msg'),
    decision: 'trash',
    reason: 'LLM: newsletter',
    sender: 'news@shop.example',
    bytes: 12_345,
    ...overrides,
  };
}

export function aSenderDecision(overrides: Partial<SenderDecision> = {}): SenderDecision {
  return {
    senderKey: 'news@shop.example',
    action: 'trash',
    reason: 'newsletter',
    policyVersion: 1,
    decidedAt: T0,
    ...overrides,
  };
}

/** A batch as the plan task saves it; the page token and count follow from its number. */
export function planned(
  batchNo: number,
  messageIds: readonly string[],
  last = false,
): PlannedBatch {
  return {
    batchNo,
    messageIds,
    nextPageToken: last ? null : `page-${batchNo + 1}`,
    listedThrough: (batchNo + 1) * messageIds.length,
  };
}

/** Batch numbers 0..count-1, each with `perBatch` message ids. */
export function batchesOf(count: number, perBatch = 3): PlannedBatch[] {
  return Array.from({ length: count }, (_, batchNo) =>
    planned(
      batchNo,
      Array.from({ length: perBatch }, (_, i) => `m-${batchNo}-${i}`),
      batchNo === count - 1,
    ),
  );
}

export function describeStoreContract(
  name: string,
  open: () => Promise<{ store: Store; close(): Promise<void> }>,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    describeSyncContract(() => store);
    describeReviewContract(() => store);
    describeTrashOutboxContract(() => store);

    async function aStoredRun(overrides: Partial<Run> = {}, batchCount = 0): Promise<Run> {
      const run = aRun(overrides);
      await store.createRun(run);
      await store.putBatches(run.id, batchesOf(batchCount));
      return run;
    }

    function completion(run: Run, batchNo: number, more: Partial<CompleteBatch> = {}) {
      return {
        runId: run.id,
        batchNo,
        decisions: [aDecision({ id: `m-${batchNo}-0` })],
        counters: someCounters({ processed: 3, trashed: 1, bytesTrashed: 500, kept: 2 }),
        llm: someUsage({ calls: 1, inputTokens: 900, outputTokens: 40, costUsd: 0.25 }),
        now: T0 + 1_000,
        ...more,
      } satisfies CompleteBatch;
    }

    describe('users', () => {
      it('returns undefined for a user that does not exist', async () => {
        expect(await store.getUser(unique('nobody'))).toBeUndefined();
      });

      it('reads a user back exactly as it was put', async () => {
        const user = aUser({
          openAiKey: 'v1.key-1.aXY.dGFn.a2V5',
          needsReconnect: true,
          watch: { topic: 'projects/p/topics/gmail', expiration: T0 + 5, lastNotificationAt: T0 },
          cursor: { historyId: '12345', updatedAt: T0 },
        });
        await store.putUser(user);
        expect(await store.getUser(user.id)).toEqual(user);
      });

      it('replaces the whole record when a user is put again', async () => {
        const user = aUser({ cursor: { historyId: '7', updatedAt: T0 } });
        await store.putUser(user);
        const replaced = aUser({ id: user.id, refreshToken: null, updatedAt: T0 + 9 });
        await store.putUser(replaced);
        expect(await store.getUser(user.id)).toEqual(replaced);
      });

      it('finds a user by email hash and nobody by an unknown hash', async () => {
        const user = aUser();
        await store.putUser(aUser());
        await store.putUser(user);
        expect(await store.findUserByEmailHash(user.emailHash)).toEqual(user);
        expect(await store.findUserByEmailHash(unique('hash'))).toBeUndefined();
      });

      it('changes only the patched fields and returns the updated user', async () => {
        const user = aUser();
        await store.putUser(user);
        const watch = { topic: 't', expiration: T0 + 100, lastNotificationAt: null };
        const updated = await store.updateUser(user.id, { watch, updatedAt: T0 + 1 });
        const expected = { ...user, watch, updatedAt: T0 + 1 };
        expect(updated).toEqual(expected);
        expect(await store.getUser(user.id)).toEqual(expected);
      });

      it('leaves a field alone when the patch gives it as undefined', async () => {
        const user = aUser({ openAiKey: 'v1.k.a.b.c' });
        await store.putUser(user);
        await store.updateUser(user.id, { openAiKey: undefined, needsReconnect: true });
        expect(await store.getUser(user.id)).toEqual({ ...user, needsReconnect: true });
      });

      it('clears the watch and the cursor when they are patched to null', async () => {
        const user = aUser({
          watch: { topic: 't', expiration: T0, lastNotificationAt: null },
          cursor: { historyId: '1', updatedAt: T0 },
        });
        await store.putUser(user);
        await store.updateUser(user.id, { watch: null, cursor: null });
        expect(await store.getUser(user.id)).toEqual({ ...user, watch: null, cursor: null });
      });

      it('never changes the id or creation time through a patch', async () => {
        const user = aUser();
        await store.putUser(user);
        const sneaky = { id: 'other', createdAt: 1 } as unknown as Partial<User>;
        await store.updateUser(user.id, sneaky);
        expect(await store.getUser(user.id)).toEqual(user);
        expect(await store.getUser('other')).toBeUndefined();
      });

      it('returns undefined when updating a user that does not exist, and creates nobody', async () => {
        const id = unique('nobody');
        expect(await store.updateUser(id, { needsReconnect: true })).toBeUndefined();
        expect(await store.getUser(id)).toBeUndefined();
      });

      it('lists users whose watch expires before a time, soonest first, up to the limit', async () => {
        const watch = (expiration: number) => ({
          topic: 't',
          expiration,
          lastNotificationAt: null,
        });
        const late = aUser({ watch: watch(T0 + 30) });
        const soon = aUser({ watch: watch(T0 + 10) });
        const sooner = aUser({ watch: watch(T0 + 5) });
        const atTheLimit = aUser({ watch: watch(T0 + 40) });
        for (const user of [late, soon, sooner, atTheLimit, aUser()]) await store.putUser(user);

        expect(await store.listUsersWithWatchBefore(T0 + 40, 100)).toEqual([sooner, soon, late]);
        expect(await store.listUsersWithWatchBefore(T0 + 40, 2)).toEqual([sooner, soon]);
      });

      it('leaves users without a watch out of the renewal list', async () => {
        const user = aUser({ watch: null });
        await store.putUser(user);
        const due = await store.listUsersWithWatchBefore(Number.MAX_SAFE_INTEGER, 10_000);
        expect(due.map((u) => u.id)).not.toContain(user.id);
      });

      it('deletes a user with all their runs, batches, sender decisions and replied threads', async () => {
        const user = aUser();
        const other = aUser();
        await Promise.all([store.putUser(user), store.putUser(other)]);
        const run = await aStoredRun({ userId: user.id }, 2);
        const otherRun = await aStoredRun({ userId: other.id }, 2);
        for (const id of [user.id, other.id]) {
          await store.putSenderDecisions(id, [aSenderDecision()]);
          await store.addRepliedThreads(id, ['thread-1']);
        }

        await store.deleteUser(user.id);

        expect(await store.getUser(user.id)).toBeUndefined();
        expect(await store.getRun(run.id)).toBeUndefined();
        expect(await store.listRuns(user.id, 10)).toEqual([]);
        expect(await store.listBatches(run.id)).toEqual([]);
        expect((await store.getSenderDecisions(user.id, ['news@shop.example'])).size).toBe(0);
        expect((await store.repliedThreads(user.id, ['thread-1'])).size).toBe(0);

        expect(await store.getUser(other.id)).toEqual(other);
        expect(await store.getRun(otherRun.id)).toEqual(otherRun);
        expect(await store.listBatches(otherRun.id)).toHaveLength(2);
        expect((await store.getSenderDecisions(other.id, ['news@shop.example'])).size).toBe(1);
        expect(await store.repliedThreads(other.id, ['thread-1'])).toEqual(new Set(['thread-1']));
      });

      it('does nothing when deleting a user that does not exist', async () => {
        await expect(store.deleteUser(unique('nobody'))).resolves.toBeUndefined();
      });
    });

    describe('runs', () => {
      it('reads a run back exactly as it was created', async () => {
        const run = aRun({
          status: 'PROCESSING',
          startedAt: T0 + 1,
          startHistoryId: '98765',
          total: 1234,
          batchCount: 3,
          batchesDone: 1,
          counters: someCounters({ listed: 1234, processed: 500, trashed: 200, bytesTrashed: 9e9 }),
          llm: someUsage({ calls: 2, inputTokens: 3000, outputTokens: 100, costUsd: 0.0123 }),
          errors: [{ at: T0, message: 'Gmail said 503' }],
        });
        await store.createRun(run);
        expect(await store.getRun(run.id)).toEqual(run);
      });

      it('returns undefined for a run that does not exist', async () => {
        expect(await store.getRun(unique('run'))).toBeUndefined();
      });

      it('reads a run without its tally as getRun reads it, also while batches are counted', async () => {
        const run = aRun({ status: 'PROCESSING', startedAt: T0 + 1, startHistoryId: '7' });
        await store.createRun(run);
        await store.putBatches(run.id, batchesOf(2));
        await store.completeBatch({
          runId: run.id,
          batchNo: 0,
          decisions: [aDecision()],
          counters: someCounters({ processed: 3, trashed: 1 }),
          llm: someUsage({ calls: 1 }),
          now: T0 + 2,
        });
        await store.updateRun(run.id, ['PROCESSING'], { status: 'DELETING' });
        const full = await store.getRun(run.id);
        expect(full).toMatchObject({ status: 'DELETING', batchesDone: 1 });
        const { batchesDone: _done, counters: _counters, llm: _llm, ...state } = full!;
        expect(await store.getRunState(run.id)).toEqual(state);
        expect(await store.getRunState(unique('run'))).toBeUndefined();
      });

      it('refuses to create a run whose id is taken, keeping the first', async () => {
        const run = aRun();
        await store.createRun(run);
        await expect(store.createRun({ ...run, total: 99 })).rejects.toThrow();
        expect(await store.getRun(run.id)).toEqual(run);
      });

      it("lists a user's runs newest first, ties broken by id, up to the limit", async () => {
        const userId = unique('user');
        const old = aRun({ userId, scheduledAt: T0 });
        const tieA = aRun({ userId, id: `${unique('tie')}-a`, scheduledAt: T0 + 10 });
        const tieB = aRun({ userId, id: `${tieA.id.slice(0, -2)}-b`, scheduledAt: T0 + 10 });
        const newest = aRun({ userId, scheduledAt: T0 + 20 });
        for (const run of [tieA, old, newest, tieB, aRun({ scheduledAt: T0 + 30 })]) {
          await store.createRun(run);
        }
        expect(await store.listRuns(userId, 10)).toEqual([newest, tieB, tieA, old]);
        expect(await store.listRuns(userId, 2)).toEqual([newest, tieB]);
      });

      it('lists the runs of every user that are not final, up to the limit', async () => {
        const unfinished = (['QUEUED', 'PROCESSING', 'DELETING'] as const).map((status) =>
          aRun({ userId: unique('user'), status }),
        );
        const final = (['DONE', 'REVIEW', 'CANCELLED', 'FAILED'] as const).map((status) =>
          aRun({ userId: unique('user'), status }),
        );
        for (const run of [...unfinished, ...final]) await store.createRun(run);

        const listed = await store.listUnfinishedRuns(1_000);
        const ids = listed.map((run) => run.id);
        for (const run of unfinished) expect(ids).toContain(run.id);
        for (const run of final) expect(ids).not.toContain(run.id);
        const statuses = new Set(listed.map((run) => run.status));
        expect([...statuses].every((s) => ['QUEUED', 'PROCESSING', 'DELETING'].includes(s))).toBe(
          true,
        );
        const deleting = listed.find((run) => run.id === unfinished[2]!.id);
        expect(deleting).toEqual(runState(unfinished[2]!));
        expect(await store.listUnfinishedRuns(1)).toHaveLength(1);
      });

      it('changes a run when its status is one of the expected ones', async () => {
        const run = await aStoredRun({ status: 'QUEUED' });
        const patch = { status: 'PROCESSING', startedAt: T0 + 5, startHistoryId: '42' } as const;
        const updated = await store.updateRun(run.id, ['QUEUED'], { ...patch, total: 10 });
        expect(updated).toEqual({ ...run, ...patch, total: 10 });
        expect(await store.getRun(run.id)).toEqual(updated);
      });

      it('changes nothing and returns undefined when the status is not an expected one', async () => {
        const run = await aStoredRun({ status: 'CANCELLED', endedAt: T0 + 1 });
        const patch = { status: 'PROCESSING', endedAt: null } as const;
        expect(await store.updateRun(run.id, ['QUEUED', 'PROCESSING'], patch)).toBeUndefined();
        expect(await store.updateRun(run.id, [], patch)).toBeUndefined();
        expect(await store.getRun(run.id)).toEqual(run);
      });

      it('returns undefined when updating a run that does not exist', async () => {
        const missing = unique('run');
        expect(await store.updateRun(missing, ['QUEUED'], { status: 'FAILED' })).toBeUndefined();
        expect(await store.getRun(missing)).toBeUndefined();
      });

      it('lets exactly one of two racing compare-and-sets win', async () => {
        const run = await aStoredRun({ status: 'QUEUED' });
        const results = await Promise.all([
          store.updateRun(run.id, ['QUEUED'], { status: 'PROCESSING' }),
          store.updateRun(run.id, ['QUEUED'], { status: 'CANCELLED' }),
        ]);
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      });

      it('appends errors in order and keeps only the newest 50', async () => {
        const run = await aStoredRun();
        for (let i = 0; i < 55; i++) {
          await store.appendRunError(run.id, { at: T0 + i, message: `error ${i}` });
        }
        const errors = (await store.getRun(run.id))?.errors ?? [];
        expect(errors).toHaveLength(50);
        expect(errors[0]).toEqual({ at: T0 + 5, message: 'error 5' });
        expect(errors[49]).toEqual({ at: T0 + 54, message: 'error 54' });
      });

      it('loses no error when many are appended at once', async () => {
        const run = await aStoredRun();
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.appendRunError(run.id, { at: T0 + i, message: `error ${i}` }),
          ),
        );
        expect((await store.getRun(run.id))?.errors).toHaveLength(20);
      });

      it('ignores an error appended to a run that does not exist', async () => {
        const missing = unique('run');
        await store.appendRunError(missing, { at: T0, message: 'lost' });
        expect(await store.getRun(missing)).toBeUndefined();
      });
    });

    describe('batches', () => {
      it('creates pending batches with their ids and lists them by number', async () => {
        const run = await aStoredRun();
        await store.putBatches(run.id, [planned(1, ['b', 'c']), planned(0, ['a'])]);
        const fresh = { status: 'pending', decisions: [], llm: ZERO_USAGE, plan: null };
        expect(await store.listBatches(run.id)).toEqual([
          { runId: run.id, ...planned(0, ['a']), ...fresh },
          { runId: run.id, ...planned(1, ['b', 'c']), ...fresh },
        ]);
        expect(await store.getBatch(run.id, 1)).toEqual({
          runId: run.id,
          ...planned(1, ['b', 'c']),
          ...fresh,
        });
      });

      it('returns undefined for a batch that does not exist', async () => {
        const run = await aStoredRun({}, 1);
        expect(await store.getBatch(run.id, 1)).toBeUndefined();
        expect(await store.getBatch(unique('run'), 0)).toBeUndefined();
      });

      it('keeps a batch of 500 ids and 500 decisions intact', async () => {
        const run = await aStoredRun();
        const ids = Array.from({ length: 500 }, (_, i) => `${i.toString(16).padStart(16, '0')}`);
        await store.putBatches(run.id, [planned(0, ids)]);
        const decisions = ids.map((id) => aDecision({ id, reason: `reason for ${id}` }));
        await store.completeBatch(completion(run, 0, { decisions }));
        const batch = await store.getBatch(run.id, 0);
        expect(batch?.messageIds).toEqual(ids);
        expect(batch?.decisions).toEqual(decisions);
      });

      it('never resets a done batch or changes its ids when batches are put again', async () => {
        const run = await aStoredRun({}, 2);
        await store.completeBatch(completion(run, 0));
        const before = await store.listBatches(run.id);

        await store.putBatches(run.id, [planned(0, ['x']), planned(1, ['y']), planned(2, ['z'])]);

        const after = await store.listBatches(run.id);
        expect(after.slice(0, 2)).toEqual(before);
        expect(after[0]?.status).toBe('done');
        expect(after[2]).toMatchObject({ ...planned(2, ['z']), status: 'pending' });
      });

      it('keeps what the scan by sender knows of a batch', async () => {
        const run = await aStoredRun();
        const sample = {
          id: 'm1',
          threadId: 't1',
          labelIds: ['CATEGORY_PROMOTIONS'],
          fromAddress: 'deals@shop.example',
          fromName: 'Shop',
          subject: 'Sale',
          snippet: 'Everything must go',
          sizeEstimate: 1234,
          internalDate: T0,
          listUnsubscribe: true,
          listId: null,
        };
        const plan = {
          kind: 'sender' as const,
          facts: {
            protectedBy: null,
            category: 'promotions' as const,
            important: false,
            old: true,
          },
          threadIds: ['t1', 't2'],
          sender: 'deals@shop.example',
          samples: [sample],
        };
        await store.putBatches(run.id, [
          { ...planned(0, ['m1', 'm2']), plan },
          { ...planned(1, ['m3']), plan: { kind: 'protected', reason: 'starred' } },
        ]);
        expect((await store.getBatch(run.id, 0))?.plan).toEqual(plan);
        expect((await store.getBatch(run.id, 1))?.plan).toEqual({
          kind: 'protected',
          reason: 'starred',
        });
      });

      it('finds the last batch, where a retried plan resumes', async () => {
        const run = await aStoredRun();
        expect(await store.lastBatch(run.id)).toBeUndefined();
        await store.putBatches(run.id, [
          planned(0, ['a']),
          planned(2, ['c'], true),
          planned(1, ['b']),
        ]);
        expect(await store.lastBatch(run.id)).toMatchObject({
          batchNo: 2,
          nextPageToken: null,
          listedThrough: 3,
        });
      });

      it('saves decisions once, before the batch is done, and counts them on completion', async () => {
        const run = await aStoredRun({}, 1);
        const decisions = [aDecision({ id: 'm-0-0', decision: 'trash', bytes: 9 })];
        const usage = someUsage();
        const decided = await store.saveDecisions(run.id, 0, decisions, usage);
        expect(decided).toMatchObject({ status: 'decided', decisions, llm: usage });
        const again = await store.saveDecisions(
          run.id,
          0,
          [aDecision({ id: 'other' })],
          ZERO_USAGE,
        );
        expect(again.decisions).toEqual(decisions);
        expect(await store.getBatch(run.id, 0)).toMatchObject({
          status: 'decided',
          decisions,
          llm: usage,
        });
        const { applied } = await store.completeBatch(completion(run, 0, { decisions }));
        expect(applied).toBe(true);
        expect((await store.saveDecisions(run.id, 0, [], ZERO_USAGE)).status).toBe('done');
      });

      it('refuses to save decisions for a batch that does not exist', async () => {
        const run = await aStoredRun({}, 1);
        await expect(store.saveDecisions(run.id, 5, [], ZERO_USAGE)).rejects.toThrow();
      });

      it('keeps batches of different runs apart', async () => {
        const a = await aStoredRun({}, 1);
        const b = await aStoredRun({}, 3);
        expect(await store.listBatches(a.id)).toHaveLength(1);
        expect(await store.listBatches(b.id)).toHaveLength(3);
      });
    });

    describe('completing a batch', () => {
      it('stores the decisions and their usage, marks the batch done and adds its counters and usage to the run', async () => {
        const run = await aStoredRun(
          {
            status: 'PROCESSING',
            counters: someCounters({ listed: 9, processed: 1, trashed: 1, gone: 1 }),
            llm: someUsage({ calls: 1, inputTokens: 10, outputTokens: 1, costUsd: 0.5 }),
          },
          3,
        );
        const input = completion(run, 1, {
          counters: {
            listed: 0,
            processed: 3,
            trashed: 1,
            bytesTrashed: 500,
            protected: 1,
            kept: 1,
            failed: 1,
            gone: 2,
          },
          llm: { calls: 2, inputTokens: 900, outputTokens: 40, costUsd: 0.25 },
        });

        const result = await store.completeBatch(input);

        const expected: Run = {
          ...run,
          batchesDone: 1,
          counters: {
            listed: 9,
            processed: 4,
            trashed: 2,
            bytesTrashed: 500,
            protected: 1,
            kept: 1,
            failed: 1,
            gone: 3,
          },
          llm: { calls: 3, inputTokens: 910, outputTokens: 41, costUsd: 0.75 },
        };
        expect(result).toEqual({ applied: true, run: expected });
        expect(await store.getRun(run.id)).toEqual(expected);
        expect(await store.getBatch(run.id, 1)).toMatchObject({
          status: 'done',
          decisions: input.decisions,
          llm: input.llm,
          messageIds: ['m-1-0', 'm-1-1', 'm-1-2'],
        });
      });

      it('changes nothing when the batch is already done, so a retried task never counts twice', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' }, 2);
        const first = await store.completeBatch(completion(run, 0));
        const retry = await store.completeBatch(
          completion(run, 0, { decisions: [aDecision({ decision: 'keep' })], now: T0 + 9 }),
        );
        expect(retry).toEqual({ applied: false, run: first.run });
        expect(await store.getRun(run.id)).toEqual(first.run);
        expect((await store.getBatch(run.id, 0))?.decisions).toEqual(completion(run, 0).decisions);
      });

      it('leaves a batch another delivery decided as it is when asked to complete only a pending one', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' }, 2);
        const saved = [aDecision({ id: 'm-0-0' })];
        await store.saveDecisions(run.id, 0, saved, ZERO_USAGE);
        const late = completion(run, 0, {
          decisions: [aDecision({ id: 'm-0-0', decision: 'keep', reason: 'other' })],
          onlyIfPending: true,
        });

        const result = await store.completeBatch(late);

        expect(result.applied).toBe(false);
        expect(result.run.batchesDone).toBe(0);
        expect(await store.getBatch(run.id, 0)).toMatchObject({
          status: 'decided',
          decisions: saved,
        });
        const fresh = await store.completeBatch(completion(run, 1, { onlyIfPending: true }));
        expect(fresh.applied).toBe(true);
        expect(await store.getBatch(run.id, 1)).toMatchObject({ status: 'done' });
      });

      it('does not finish a run whose planning has not finished, even with every batch done', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' }, 2);
        await store.completeBatch(completion(run, 0));
        const { run: after } = await store.completeBatch(completion(run, 1));
        expect(after).toMatchObject({ status: 'PROCESSING', batchesDone: 2, endedAt: null });
      });

      it('moves a fully planned run to DONE when its last batch completes', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' }, 2);
        await store.finishPlanning(run.id, 2, 6, T0 + 100);
        const first = await store.completeBatch(completion(run, 1, { now: T0 + 200 }));
        expect(first.run).toMatchObject({ status: 'DELETING', batchesDone: 1, endedAt: null });
        const last = await store.completeBatch(completion(run, 0, { now: T0 + 300 }));
        expect(last.run).toMatchObject({ status: 'DONE', batchesDone: 2, endedAt: T0 + 300 });
        expect(await store.getRun(run.id)).toEqual(last.run);
      });

      it('stores the decisions of a cancelled run but never changes its final status', async () => {
        const run = await aStoredRun({ status: 'DELETING', batchCount: 1 }, 1);
        await store.updateRun(run.id, ['DELETING'], { status: 'CANCELLED', endedAt: T0 + 50 });
        const input = completion(run, 0, { now: T0 + 99 });
        const { applied, run: after } = await store.completeBatch(input);
        expect(applied).toBe(true);
        expect(after).toMatchObject({ status: 'CANCELLED', endedAt: T0 + 50, batchesDone: 1 });
        expect(after.counters.trashed).toBe(1);
        expect(await store.getBatch(run.id, 0)).toMatchObject({
          status: 'done',
          decisions: input.decisions,
        });
      });

      it('never changes the status of a failed run', async () => {
        const run = await aStoredRun({ status: 'FAILED', endedAt: T0 + 7, batchCount: 1 }, 1);
        const { run: after } = await store.completeBatch(completion(run, 0));
        expect(after).toMatchObject({ status: 'FAILED', endedAt: T0 + 7, batchesDone: 1 });
      });

      it('rejects a batch that was never put and changes nothing', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' }, 1);
        await expect(store.completeBatch(completion(run, 5))).rejects.toThrow();
        expect(await store.getRun(run.id)).toEqual(run);
        expect(await store.getBatch(run.id, 5)).toBeUndefined();
      });

      it('counts 50 batches completed at once exactly, and finishes the run exactly once', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' }, 50);
        await store.finishPlanning(run.id, 50, 150, T0);
        const inputs = Array.from({ length: 50 }, (_, i) =>
          completion(run, i, {
            counters: {
              listed: 0,
              processed: 3,
              trashed: i % 4,
              bytesTrashed: 1000 * i,
              protected: i % 2,
              kept: 3 - (i % 4),
              failed: i % 3 === 0 ? 1 : 0,
              gone: i % 5 === 0 ? 1 : 0,
            },
            llm: { calls: 1, inputTokens: 100 + i, outputTokens: 10, costUsd: 0.001 * (i + 1) },
            now: T0 + 1_000 + i,
          }),
        );
        const sum = (pick: (input: CompleteBatch) => number) =>
          inputs.reduce((total, input) => total + pick(input), 0);

        const results = await Promise.all(inputs.map((input) => store.completeBatch(input)));

        expect(results.every((r) => r.applied)).toBe(true);
        const finishers = results.filter((r) => r.run.status === 'DONE');
        expect(finishers).toHaveLength(1);
        const run50 = await store.getRun(run.id);
        expect(run50).toMatchObject({
          status: 'DONE',
          batchesDone: 50,
          endedAt: finishers[0]?.run.endedAt,
        });
        expect(run50?.counters).toEqual({
          listed: 150,
          processed: sum((x) => x.counters.processed),
          trashed: sum((x) => x.counters.trashed),
          bytesTrashed: sum((x) => x.counters.bytesTrashed),
          protected: sum((x) => x.counters.protected),
          kept: sum((x) => x.counters.kept),
          failed: sum((x) => x.counters.failed),
          gone: sum((x) => x.counters.gone),
        });
        expect(run50?.llm).toMatchObject({
          calls: 50,
          inputTokens: sum((x) => x.llm.inputTokens),
          outputTokens: 500,
        });
        expect(run50?.llm.costUsd).toBeCloseTo(
          sum((x) => x.llm.costUsd),
          9,
        );
        const batches = await store.listBatches(run.id);
        expect(batches.filter((b) => b.status === 'done')).toHaveLength(50);
      });

      it('counts a batch completed 10 times at once only once', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' }, 2);
        const input = completion(run, 0);
        const results = await Promise.all(
          Array.from({ length: 10 }, () => store.completeBatch(input)),
        );
        expect(results.filter((r) => r.applied)).toHaveLength(1);
        const after = await store.getRun(run.id);
        expect(after?.batchesDone).toBe(1);
        expect(after?.counters).toEqual(input.counters);
        expect(after?.llm).toEqual(input.llm);
      });
    });

    describe('finishing planning', () => {
      it('records the batch count and listed ids as the total and moves the run to DELETING', async () => {
        const run = await aStoredRun({ status: 'PROCESSING', total: 10 }, 3);
        const after = await store.finishPlanning(run.id, 3, 8, T0 + 10);
        const expected: Run = {
          ...run,
          status: 'DELETING',
          batchCount: 3,
          total: 8,
          counters: someCounters({ listed: 8 }),
        };
        expect(after).toEqual(expected);
        expect(await store.getRun(run.id)).toEqual(expected);
      });

      it('moves a queued run to DELETING too', async () => {
        const run = await aStoredRun({ status: 'QUEUED' }, 1);
        expect((await store.finishPlanning(run.id, 1, 1, T0))?.status).toBe('DELETING');
      });

      it('moves the run straight to DONE when every batch is already done', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' }, 2);
        await store.completeBatch(completion(run, 0));
        await store.completeBatch(completion(run, 1));
        const after = await store.finishPlanning(run.id, 2, 6, T0 + 10);
        expect(after).toMatchObject({ status: 'DONE', endedAt: T0 + 10, batchCount: 2 });
        expect(after?.counters).toMatchObject({ listed: 6, processed: 6 });
      });

      it('moves a run with no batches at all straight to DONE', async () => {
        const run = await aStoredRun({ status: 'PROCESSING' });
        const after = await store.finishPlanning(run.id, 0, 0, T0 + 10);
        expect(after).toMatchObject({ status: 'DONE', endedAt: T0 + 10, batchCount: 0 });
      });

      it('gives the same run when called again', async () => {
        const waiting = await aStoredRun({ status: 'PROCESSING' }, 2);
        const once = await store.finishPlanning(waiting.id, 2, 6, T0 + 10);
        expect(await store.finishPlanning(waiting.id, 2, 6, T0 + 20)).toEqual(once);

        const empty = await aStoredRun({ status: 'PROCESSING' });
        const done = await store.finishPlanning(empty.id, 0, 0, T0 + 10);
        expect(await store.finishPlanning(empty.id, 0, 0, T0 + 20)).toEqual(done);
        expect(await store.getRun(empty.id)).toEqual(done);
      });

      it('leaves a cancelled run as it is', async () => {
        const run = await aStoredRun({ status: 'CANCELLED', endedAt: T0 + 1 }, 2);
        expect(await store.finishPlanning(run.id, 2, 6, T0 + 10)).toEqual(run);
        expect(await store.getRun(run.id)).toEqual(run);
      });

      it('returns undefined for a run that does not exist', async () => {
        expect(await store.finishPlanning(unique('run'), 1, 1, T0)).toBeUndefined();
      });
    });

    describe('sender decisions', () => {
      it('returns only the decisions that exist, keyed by sender', async () => {
        const userId = unique('user');
        const news = aSenderDecision({ senderKey: 'news@shop.example' });
        const bank = aSenderDecision({ senderKey: '@bank.example', action: 'keep' });
        await store.putSenderDecisions(userId, [news, bank]);
        const found = await store.getSenderDecisions(userId, [
          'news@shop.example',
          '@bank.example',
          'unknown@x.example',
        ]);
        expect(found).toEqual(
          new Map([
            ['news@shop.example', news],
            ['@bank.example', bank],
          ]),
        );
        expect(await store.getSenderDecisions(userId, [])).toEqual(new Map());
      });

      it('replaces a decision put again for the same sender', async () => {
        const userId = unique('user');
        await store.putSenderDecisions(userId, [aSenderDecision({ action: 'trash' })]);
        const newer = aSenderDecision({ action: 'mixed', policyVersion: 2, decidedAt: T0 + 1 });
        await store.putSenderDecisions(userId, [newer]);
        const found = await store.getSenderDecisions(userId, [newer.senderKey]);
        expect(found.get(newer.senderKey)).toEqual(newer);
      });

      it('lists the most recently decided senders first, up to the limit', async () => {
        const userId = unique('user');
        const decisions = [3, 1, 4, 2].map((n) =>
          aSenderDecision({ senderKey: `s${n}@shop.example|promotions`, decidedAt: T0 + n }),
        );
        await store.putSenderDecisions(userId, decisions);
        await store.putSenderDecisions(unique('user'), [aSenderDecision({ decidedAt: T0 + 9 })]);
        const listed = await store.listSenderDecisions(userId, 3);
        expect(listed.map((d) => d.senderKey)).toEqual([
          's4@shop.example|promotions',
          's3@shop.example|promotions',
          's2@shop.example|promotions',
        ]);
        expect(listed[0]).toEqual(decisions[2]);
        expect(await store.listSenderDecisions(unique('user'), 10)).toEqual([]);
      });

      it('keeps the decision put last for a sender, whatever its decision time', async () => {
        const userId = unique('user');
        await store.putSenderDecisions(userId, [aSenderDecision({ decidedAt: T0 + 5 })]);
        const later = aSenderDecision({ action: 'keep', reason: 'asked again', decidedAt: T0 });
        await store.putSenderDecisions(userId, [later]);
        expect(
          (await store.getSenderDecisions(userId, [later.senderKey])).get(later.senderKey),
        ).toEqual(later);
        expect(await store.listSenderDecisions(userId, 5)).toEqual([later]);
      });

      it('finds every one of many senders put at once or one by one, and lists them newest first', async () => {
        const userId = unique('user');
        const many = Array.from({ length: 620 }, (_, n) =>
          aSenderDecision({ senderKey: `s${n}@tail.example`, decidedAt: T0 + n }),
        );
        await store.putSenderDecisions(userId, many);
        const again = many
          .slice(0, 40)
          .map((d) => ({ ...d, action: 'keep' as const, decidedAt: T0 + 1_000 }));
        for (const decision of again.slice(0, 5))
          await store.putSenderDecisions(userId, [decision]);
        await store.putSenderDecisions(userId, again.slice(5));
        const keys = [...many.map((d) => d.senderKey), 'unknown@tail.example'];
        const found = await store.getSenderDecisions(userId, keys);
        expect(found.size).toBe(620);
        expect(found.get('s0@tail.example')).toEqual(again[0]);
        expect(found.get('s39@tail.example')).toEqual(again[39]);
        expect(found.get('s40@tail.example')).toEqual(many[40]);
        const listed = await store.listSenderDecisions(userId, 45);
        expect(listed.slice(0, 40).map((d) => d.senderKey)).toEqual(
          again.map((d) => d.senderKey).sort(),
        );
        expect(listed.slice(40).map((d) => d.senderKey)).toEqual(
          [619, 618, 617, 616, 615].map((n) => `s${n}@tail.example`),
        );
        expect(await store.listSenderDecisions(userId, 1_000)).toHaveLength(620);
      });

      it("never shows one user another user's decisions", async () => {
        const [alice, bob] = [unique('user'), unique('user')];
        await store.putSenderDecisions(alice, [aSenderDecision()]);
        expect((await store.getSenderDecisions(bob, ['news@shop.example'])).size).toBe(0);
      });
    });

    describe('replied threads', () => {
      it('returns the subset of thread ids the user replied in', async () => {
        const userId = unique('user');
        await store.addRepliedThreads(userId, ['t1', 't2', 't3']);
        const found = await store.repliedThreads(userId, ['t0', 't2', 't3', 't4']);
        expect(found).toEqual(new Set(['t2', 't3']));
        expect(await store.repliedThreads(userId, [])).toEqual(new Set());
      });

      it('adds the same thread twice without complaint', async () => {
        const userId = unique('user');
        await store.addRepliedThreads(userId, ['t1', 't1']);
        await store.addRepliedThreads(userId, ['t1']);
        expect(await store.repliedThreads(userId, ['t1'])).toEqual(new Set(['t1']));
      });

      it("never shows one user another user's threads", async () => {
        const [alice, bob] = [unique('user'), unique('user')];
        await store.addRepliedThreads(alice, ['shared-id']);
        expect((await store.repliedThreads(bob, ['shared-id'])).size).toBe(0);
      });
    });

    describe('marked conversations', () => {
      it('returns the marked ones among the asked thread ids, with how they were marked', async () => {
        const userId = unique('user');
        await store.addMarkedThreads(
          userId,
          new Map([
            ['t1', 'starred'],
            ['t2', 'labelled'],
            ['t3', 'snoozed'],
          ]),
        );
        const found = await store.markedThreads(userId, ['t0', 't2', 't3', 't4']);
        expect(found).toEqual(
          new Map([
            ['t2', 'labelled'],
            ['t3', 'snoozed'],
          ]),
        );
        expect(await store.markedThreads(userId, [])).toEqual(new Map());
      });

      it('keeps every mark of a conversation and names the strongest', async () => {
        const userId = unique('user');
        await store.addMarkedThreads(userId, new Map([['t1', 'snoozed']]));
        await store.addMarkedThreads(userId, new Map([['t1', 'labelled']]));
        await store.addMarkedThreads(userId, new Map([['t1', 'snoozed']]));
        expect(await store.markedThreads(userId, ['t1'])).toEqual(new Map([['t1', 'labelled']]));
        await store.addMarkedThreads(userId, new Map([['t1', 'starred']]));
        expect(await store.markedThreads(userId, ['t1'])).toEqual(new Map([['t1', 'starred']]));
      });

      it('remembers every mark of a conversation given in one call, as in one call per mark', async () => {
        const [once, apart] = [unique('user'), unique('user')];
        const pairs = [
          ['t1', 'snoozed'],
          ['t1', 'sent'],
          ['t2', 'labelled'],
          ['t1', 'starred'],
        ] as const;
        await store.addMarkedThreads(once, pairs);
        for (const pair of pairs) await store.addMarkedThreads(apart, [pair]);
        const threads = ['t1', 't2', 't3'];
        expect(await store.markedThreads(once, threads)).toEqual(
          await store.markedThreads(apart, threads),
        );
        expect(await store.markedThreads(once, threads)).toEqual(
          new Map([
            ['t1', 'starred'],
            ['t2', 'labelled'],
          ]),
        );
        expect(await store.repliedThreads(once, threads)).toEqual(new Set(['t1']));
      });

      it('gives every marked conversation of a user, each with every mark it was given', async () => {
        const [userId, other] = [unique('user'), unique('user')];
        expect(await store.allMarkedThreads(userId)).toEqual(new Map());
        await store.addRepliedThreads(userId, ['r1', 't:1']);
        await store.addMarkedThreads(userId, [
          ['t:1', 'starred'],
          ['s1', 'snoozed'],
          ['s1', 'labelled'],
          ['d1', 'draft'],
        ]);
        await store.addMarkedThreads(other, [['x1', 'starred']]);
        expect(await store.allMarkedThreads(userId)).toEqual(
          new Map([
            ['r1', new Set(['sent'])],
            ['t:1', new Set(['sent', 'starred'])],
            ['s1', new Set(['snoozed', 'labelled'])],
            ['d1', new Set(['draft'])],
          ]),
        );
      });

      it('counts replied threads as conversations marked sent, and only those as replied', async () => {
        const userId = unique('user');
        await store.addRepliedThreads(userId, ['r1']);
        await store.addMarkedThreads(userId, new Map([['s1', 'starred']]));
        await store.addMarkedThreads(userId, new Map([['r2', 'sent']]));
        expect(await store.markedThreads(userId, ['r1', 's1', 'r2'])).toEqual(
          new Map([
            ['r1', 'sent'],
            ['s1', 'starred'],
            ['r2', 'sent'],
          ]),
        );
        expect(await store.repliedThreads(userId, ['r1', 's1', 'r2'])).toEqual(
          new Set(['r1', 'r2']),
        );
      });

      it("never shows one user another user's marks, and forgets them with the user", async () => {
        const alice = aUser();
        const bob = unique('user');
        await store.putUser(alice);
        await store.addMarkedThreads(alice.id, new Map([['shared-id', 'starred']]));
        expect((await store.markedThreads(bob, ['shared-id'])).size).toBe(0);
        await store.deleteUser(alice.id);
        expect((await store.markedThreads(alice.id, ['shared-id'])).size).toBe(0);
      });
    });

    describe('history cursor', () => {
      async function aUserAt(historyId: string | null): Promise<User> {
        const user = aUser({ cursor: historyId === null ? null : { historyId, updatedAt: T0 } });
        await store.putUser(user);
        return user;
      }

      it('sets the first cursor when none is expected and none exists', async () => {
        const user = await aUserAt(null);
        expect(await store.advanceCursor(user.id, null, '500', T0 + 5)).toBe(true);
        expect((await store.getUser(user.id))?.cursor).toEqual({
          historyId: '500',
          updatedAt: T0 + 5,
        });
      });

      it('moves forward from the expected cursor and records when', async () => {
        const user = await aUserAt('500');
        expect(await store.advanceCursor(user.id, '500', '640', T0 + 5)).toBe(true);
        expect((await store.getUser(user.id))?.cursor).toEqual({
          historyId: '640',
          updatedAt: T0 + 5,
        });
      });

      it('refuses when the cursor is no longer the expected one', async () => {
        const user = await aUserAt('700');
        expect(await store.advanceCursor(user.id, '500', '800', T0 + 5)).toBe(false);
        expect(await store.advanceCursor(user.id, null, '800', T0 + 5)).toBe(false);
        expect((await store.getUser(user.id))?.cursor).toEqual(user.cursor);
      });

      it('refuses to move backward', async () => {
        const user = await aUserAt('1000');
        expect(await store.advanceCursor(user.id, '1000', '999', T0 + 5)).toBe(false);
        expect((await store.getUser(user.id))?.cursor).toEqual(user.cursor);
      });

      it('compares history ids as numbers, not as strings', async () => {
        const user = await aUserAt('999');
        expect(await store.advanceCursor(user.id, '999', '1000', T0 + 5)).toBe(true);
        expect((await store.getUser(user.id))?.cursor?.historyId).toBe('1000');
      });

      it('compares 20-digit history ids exactly', async () => {
        const user = await aUserAt('18446744073709551614');
        const backward = '18446744073709551613';
        expect(await store.advanceCursor(user.id, user.cursor!.historyId, backward, T0)).toBe(
          false,
        );
        const forward = '18446744073709551615';
        expect(await store.advanceCursor(user.id, user.cursor!.historyId, forward, T0)).toBe(true);
        expect((await store.getUser(user.id))?.cursor?.historyId).toBe(forward);
      });

      it('accepts the same history id again and refreshes the time', async () => {
        const user = await aUserAt('500');
        expect(await store.advanceCursor(user.id, '500', '500', T0 + 9)).toBe(true);
        expect((await store.getUser(user.id))?.cursor).toEqual({
          historyId: '500',
          updatedAt: T0 + 9,
        });
      });

      it('lets only one of two racing advances from the same cursor win', async () => {
        const user = await aUserAt('500');
        const results = await Promise.all([
          store.advanceCursor(user.id, '500', '600', T0 + 1),
          store.advanceCursor(user.id, '500', '700', T0 + 2),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('leaves the rest of the user record alone', async () => {
        const user = await aUserAt('500');
        await store.advanceCursor(user.id, '500', '600', T0 + 1);
        const after = await store.getUser(user.id);
        expect({ ...after, cursor: user.cursor }).toEqual(user);
      });

      it('returns false for a user that does not exist', async () => {
        const missing = unique('nobody');
        expect(await store.advanceCursor(missing, null, '1', T0)).toBe(false);
        expect(await store.getUser(missing)).toBeUndefined();
      });

      it('rejects a history id that is not a decimal number', async () => {
        const user = await aUserAt('500');
        await expect(store.advanceCursor(user.id, '500', 'abc', T0)).rejects.toThrow();
        await expect(store.advanceCursor(user.id, '500', '-1', T0)).rejects.toThrow();
        expect((await store.getUser(user.id))?.cursor).toEqual(user.cursor);
      });
    });
  });
}
