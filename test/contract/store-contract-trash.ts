import { describe, expect, it } from 'vitest';
import { type QueuedTrash, ZERO_COUNTERS, ZERO_USAGE } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import { aDecision, aRun, aUser, batchesOf, someUsage, unique } from './store-contract.js';

/**
 * The Store contract for the trash outbox: decided trash gathered per user across batches and
 * runs, until a flush takes it out. Part of describeStoreContract, with a fresh store per test.
 */

const T0 = 1_700_000_000_000;

const entry = (runId: string, batchNo: number, count: number, queuedAt: number): QueuedTrash => ({
  runId,
  batchNo,
  ids: Array.from({ length: count }, (_, i) => `${runId}-${batchNo}-m${i}`),
  threadIds: Array.from({ length: count }, (_, i) => `${runId}-${batchNo}-t${i}`),
  queuedAt,
});

export function describeTrashOutboxContract(store: () => Store): void {
  describe('trash outbox', () => {
    it('gathers batches of several runs per user, oldest first, and counts their ids', async () => {
      const user = aUser();
      await store().putUser(user);
      const [runA, runB] = [unique('run-a'), unique('run-b')];
      expect(await store().queueTrash(user.id, entry(runA, 3, 2, T0 + 20))).toBe(2);
      expect(await store().queueTrash(user.id, entry(runB, 0, 5, T0 + 10))).toBe(7);
      expect(await store().queueTrash(user.id, entry(runA, 4, 1, T0 + 30))).toBe(8);

      expect(await store().queuedTrash(user.id, 10)).toEqual([
        entry(runB, 0, 5, T0 + 10),
        entry(runA, 3, 2, T0 + 20),
        entry(runA, 4, 1, T0 + 30),
      ]);
      expect(await store().queuedTrash(user.id, 1)).toEqual([entry(runB, 0, 5, T0 + 10)]);
    });

    it('adds nothing when a retried batch queues its trash again', async () => {
      const user = aUser();
      await store().putUser(user);
      const run = unique('run');
      await store().queueTrash(user.id, entry(run, 1, 3, T0));
      // A retry carries the same ids; a later time or other ids must not replace the first.
      expect(await store().queueTrash(user.id, entry(run, 1, 4, T0 + 99))).toBe(3);
      expect(await store().queuedTrash(user.id, 10)).toEqual([entry(run, 1, 3, T0)]);
    });

    it('keeps each user outbox apart', async () => {
      const [alice, bob] = [aUser(), aUser()];
      await store().putUser(alice);
      await store().putUser(bob);
      const run = unique('run');
      await store().queueTrash(alice.id, entry(run, 0, 2, T0));
      expect(await store().queuedTrash(bob.id, 10)).toEqual([]);
      expect(await store().queueTrash(bob.id, entry(unique('run'), 0, 1, T0))).toBe(1);
    });

    it('takes flushed entries out and ignores ones already gone', async () => {
      const user = aUser();
      await store().putUser(user);
      const run = unique('run');
      await store().queueTrash(user.id, entry(run, 0, 2, T0));
      await store().queueTrash(user.id, entry(run, 1, 3, T0 + 1));
      await store().unqueueTrash(user.id, [
        { runId: run, batchNo: 0 },
        { runId: run, batchNo: 7 },
      ]);
      expect(await store().queuedTrash(user.id, 10)).toEqual([entry(run, 1, 3, T0 + 1)]);
      await store().unqueueTrash(user.id, [{ runId: run, batchNo: 0 }]);
      expect(await store().queueTrash(user.id, entry(run, 2, 1, T0 + 2))).toBe(4);
    });

    describe('decisions saved with their trash', () => {
      const usage = someUsage({ calls: 1, inputTokens: 50, outputTokens: 5, costUsd: 0.01 });
      /** A run in progress with two pending batches, and what deciding batch 1 sends to Trash. */
      async function aDecidedBatch(status: 'PROCESSING' | 'CANCELLED' = 'PROCESSING') {
        const user = aUser();
        await store().putUser(user);
        const run = aRun({ userId: user.id, status });
        await store().createRun(run);
        await store().putBatches(run.id, batchesOf(2));
        const decisions = [
          aDecision({ id: 'm-1-0' }),
          aDecision({ id: 'm-1-1', decision: 'keep', reason: 'a person' }),
          aDecision({ id: 'm-1-2' }),
        ];
        const trash = { ids: ['m-1-0', 'm-1-2'], threadIds: ['t0', 't2'], queuedAt: T0 + 5 };
        return { user, run, input: { runId: run.id, batchNo: 1, decisions, llm: usage, trash } };
      }

      it('saves the decisions and queues their trash together, and says how much waits', async () => {
        const { user, run, input } = await aDecidedBatch();
        await store().queueTrash(user.id, entry(unique('run'), 0, 4, T0));

        const saved = await store().saveTrashDecisions(input);

        expect(saved.queued).toBe(6);
        expect(saved.run).toMatchObject({ id: run.id, status: 'PROCESSING', userId: user.id });
        expect(saved.batch).toMatchObject({ status: 'decided', decisions: input.decisions });
        expect(await store().getBatch(run.id, 1)).toMatchObject({
          status: 'decided',
          decisions: input.decisions,
          llm: usage,
        });
        expect(await store().getBatch(run.id, 0)).toMatchObject({ status: 'pending' });
        expect((await store().queuedTrash(user.id, 10))[1]).toEqual({
          runId: run.id,
          batchNo: 1,
          ...input.trash,
        });
      });

      it('changes nothing for a batch already decided: the first decisions and entry stay', async () => {
        const { user, run, input } = await aDecidedBatch();
        await store().saveTrashDecisions(input);
        const other = [aDecision({ id: 'm-1-0', decision: 'keep', reason: 'changed' })];
        const again = await store().saveTrashDecisions({
          ...input,
          decisions: other,
          llm: ZERO_USAGE,
          trash: { ids: ['m-1-1'], threadIds: ['t1'], queuedAt: T0 + 9 },
        });

        expect(again.queued).toBeUndefined();
        expect(again.batch.decisions).toEqual(input.decisions);
        expect(await store().queuedTrash(user.id, 10)).toEqual([
          { runId: run.id, batchNo: 1, ...input.trash },
        ]);
      });

      it('neither saves nor queues anything for a run that is final', async () => {
        const { user, run, input } = await aDecidedBatch('CANCELLED');
        const saved = await store().saveTrashDecisions(input);

        expect(saved.queued).toBeUndefined();
        expect(saved.run?.status).toBe('CANCELLED');
        expect(saved.batch.status).toBe('pending');
        expect(await store().getBatch(run.id, 1)).toMatchObject({ status: 'pending' });
        expect(await store().queuedTrash(user.id, 10)).toEqual([]);
      });

      it('refuses a batch that does not exist', async () => {
        const { input } = await aDecidedBatch();
        await expect(store().saveTrashDecisions({ ...input, batchNo: 7 })).rejects.toThrow();
      });
    });

    describe("a flush's end", () => {
      const completion = (runId: string, batchNo: number) => ({
        runId,
        batchNo,
        decisions: [aDecision({ id: `m-${batchNo}-0` })],
        counters: {
          ...ZERO_COUNTERS,
          processed: 3,
          trashed: 1,
          bytesTrashed: 10,
          kept: 2,
        },
        llm: someUsage({ calls: 1, inputTokens: 10, outputTokens: 1, costUsd: 0.5 }),
        now: T0 + 50,
      });
      async function aRunWithTrash(batches: number) {
        const user = aUser();
        await store().putUser(user);
        const run = aRun({ userId: user.id, status: 'PROCESSING' });
        await store().createRun(run);
        await store().putBatches(run.id, batchesOf(batches));
        for (let no = 0; no < batches; no++) {
          await store().queueTrash(user.id, entry(run.id, no, 1, T0 + no));
        }
        return { user, run };
      }

      it('counts each completed batch as its entry leaves, and takes the other entries out', async () => {
        const { user, run } = await aRunWithTrash(3);
        const dropped = entry(unique('run'), 0, 2, T0 + 9);
        await store().queueTrash(user.id, dropped);

        const results = await store().finishFlush(
          user.id,
          [entry(run.id, 0, 1, T0), dropped],
          [completion(run.id, 0)],
        );

        expect(results).toHaveLength(1);
        expect(results[0]).toMatchObject({ applied: true, run: { batchesDone: 1 } });
        expect(results[0]?.run.counters).toMatchObject({ processed: 3, trashed: 1 });
        expect(await store().getBatch(run.id, 0)).toMatchObject({ status: 'done' });
        expect(await store().queuedTrash(user.id, 10)).toEqual([
          entry(run.id, 1, 1, T0 + 1),
          entry(run.id, 2, 1, T0 + 2),
        ]);
      });

      it('counts a batch done already nothing more, and still takes its entry out', async () => {
        const { user, run } = await aRunWithTrash(2);
        await store().completeBatch(completion(run.id, 0));

        const [result] = await store().finishFlush(
          user.id,
          [entry(run.id, 0, 1, T0)],
          [completion(run.id, 0)],
        );

        expect(result).toMatchObject({ applied: false, run: { batchesDone: 1 } });
        expect((await store().getRun(run.id))?.counters.processed).toBe(3);
        expect(await store().queuedTrash(user.id, 10)).toEqual([entry(run.id, 1, 1, T0 + 1)]);
      });

      it('ends the run when the flush counts the last batch of a planned run', async () => {
        const { user, run } = await aRunWithTrash(2);
        await store().completeBatch(completion(run.id, 1));
        await store().finishPlanning(run.id, 2, 6, T0 + 40);

        // Batch 1 was counted by an earlier attempt whose entry is still there.
        const [result] = await store().finishFlush(
          user.id,
          [entry(run.id, 0, 1, T0), entry(run.id, 1, 1, T0 + 1)],
          [completion(run.id, 0)],
        );

        expect(result).toMatchObject({ applied: true, run: { status: 'DONE', batchesDone: 2 } });
        expect((await store().getRun(run.id))?.status).toBe('DONE');
        expect(await store().queuedTrash(user.id, 10)).toEqual([]);
      });
    });

    it('deletes the outbox with the user', async () => {
      const user = aUser();
      await store().putUser(user);
      await store().queueTrash(user.id, entry(unique('run'), 0, 2, T0));
      await store().deleteUser(user.id);
      expect(await store().queuedTrash(user.id, 10)).toEqual([]);
    });
  });
}
