import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import { aDecision, aRun, batchesOf, someCounters, someUsage } from './store-contract.js';

/**
 * The Store contract for review runs: they stop at REVIEW instead of DONE, the owner's kept
 * senders revise saved decisions, and an applied review becomes DONE once, with what its
 * trashing counted. Part of describeStoreContract, which gives a fresh store per test.
 */

const T0 = 1_700_000_000_000;

export function describeReviewContract(store: () => Store): void {
  async function aReviewRun(batchCount: number, overrides: Partial<Run> = {}): Promise<Run> {
    const run = aRun({ mode: 'review', status: 'PROCESSING', ...overrides });
    await store().createRun(run);
    await store().putBatches(run.id, batchesOf(batchCount));
    return run;
  }

  const completion = (run: Run, batchNo: number) => ({
    runId: run.id,
    batchNo,
    decisions: [aDecision({ id: `m-${batchNo}-0`, decision: 'trash', sender: 'a@news.test' })],
    counters: someCounters({ processed: 3, kept: 2 }),
    llm: someUsage({ calls: 1, costUsd: 0.25 }),
    now: T0 + 1_000,
  });

  describe('review runs', () => {
    it('reads a review run back with its mode and no apply time', async () => {
      const run = await aReviewRun(0);
      expect(await store().getRun(run.id)).toEqual(run);
      expect(run.mode).toBe('review');
    });

    it('stops a review run at REVIEW when its last batch is done, with no end time', async () => {
      const run = await aReviewRun(2);
      await store().finishPlanning(run.id, 2, 6, T0 + 10);
      await store().completeBatch(completion(run, 0));
      const { applied, run: after } = await store().completeBatch(completion(run, 1));
      expect(applied).toBe(true);
      expect(after).toMatchObject({ status: 'REVIEW', endedAt: null, batchesDone: 2 });
      expect((await store().getRun(run.id))?.status).toBe('REVIEW');
    });

    it('moves a review run whose batches are all done straight to REVIEW when planning ends', async () => {
      const run = await aReviewRun(1);
      await store().completeBatch(completion(run, 0));
      const after = await store().finishPlanning(run.id, 1, 3, T0 + 10);
      expect(after).toMatchObject({ status: 'REVIEW', endedAt: null });
    });

    it('replaces the decisions of a done batch and leaves a pending one alone', async () => {
      const run = await aReviewRun(2);
      await store().completeBatch(completion(run, 0));
      const revised = [aDecision({ id: 'm-0-0', decision: 'keep', reason: 'kept by you' })];
      await store().reviseDecisions(run.id, 0, revised);
      await store().reviseDecisions(run.id, 1, revised);
      expect((await store().getBatch(run.id, 0))?.decisions).toEqual(revised);
      expect((await store().getBatch(run.id, 1))?.decisions).toEqual([]);
      expect((await store().getRun(run.id))?.counters.processed).toBe(3);
    });

    it('finishes an applied review once, adding what its trashing counted', async () => {
      const run = await aReviewRun(1);
      await store().completeBatch(completion(run, 0));
      await store().finishPlanning(run.id, 1, 3, T0 + 10);
      const added = someCounters({ trashed: 1, bytesTrashed: 500 });
      expect(await store().finishApplied(run.id, added, T0 + 20)).toBeUndefined();

      await store().updateRun(run.id, ['REVIEW'], { status: 'DELETING', appliedAt: T0 + 15 });
      const done = await store().finishApplied(run.id, added, T0 + 20);
      expect(done).toMatchObject({ status: 'DONE', endedAt: T0 + 20, appliedAt: T0 + 15 });
      expect(done?.counters).toMatchObject({
        processed: 3,
        kept: 2,
        trashed: 1,
        bytesTrashed: 500,
      });
      expect(await store().finishApplied(run.id, added, T0 + 30)).toBeUndefined();
      expect(await store().getRun(run.id)).toEqual(done);
    });

    it('does not finish an auto run or a cancelled review as applied', async () => {
      const auto = aRun({ status: 'DELETING', batchCount: 0, appliedAt: T0 });
      await store().createRun(auto);
      expect(
        await store().finishApplied(auto.id, someCounters({ trashed: 1 }), T0),
      ).toBeUndefined();
      const cancelled = await aReviewRun(0, { status: 'CANCELLED', batchCount: 0, appliedAt: T0 });
      expect(
        await store().finishApplied(cancelled.id, someCounters({ trashed: 1 }), T0),
      ).toBeUndefined();
      expect(await store().getRun(cancelled.id)).toEqual(cancelled);
    });
  });
}
