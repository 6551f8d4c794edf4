import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/model.js';
import { ZERO_USAGE } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import type { CompleteBatch } from '../../src/domain/run-store.js';
import {
  aDecision,
  completion,
  someCounters,
  someUsage,
  storedRuns,
  T0,
  unique,
} from './store-contract.js';

/**
 * The Store contract for finishing work: completing a batch counts it into its run exactly once,
 * finishing planning moves the run on, and whichever comes last ends the run. Part of
 * describeStoreContract, which gives a fresh store per test.
 */
export function describeCompletionContract(store: () => Store): void {
  const aStoredRun = storedRuns(store);

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

      const result = await store().completeBatch(input);

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
      expect(await store().getRun(run.id)).toEqual(expected);
      expect(await store().getBatch(run.id, 1)).toMatchObject({
        status: 'done',
        decisions: input.decisions,
        llm: input.llm,
        messageIds: ['m-1-0', 'm-1-1', 'm-1-2'],
      });
    });

    it('changes nothing when the batch is already done, so a retried task never counts twice', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' }, 2);
      const first = await store().completeBatch(completion(run, 0));
      const retry = await store().completeBatch(
        completion(run, 0, { decisions: [aDecision({ decision: 'keep' })], now: T0 + 9 }),
      );
      expect(retry).toEqual({ applied: false, run: first.run });
      expect(await store().getRun(run.id)).toEqual(first.run);
      expect((await store().getBatch(run.id, 0))?.decisions).toEqual(completion(run, 0).decisions);
    });

    it('leaves a batch another delivery decided as it is when asked to complete only a pending one', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' }, 2);
      const saved = [aDecision({ id: 'm-0-0' })];
      await store().saveDecisions(run.id, 0, saved, ZERO_USAGE);
      const late = completion(run, 0, {
        decisions: [aDecision({ id: 'm-0-0', decision: 'keep', reason: 'other' })],
        onlyIfPending: true,
      });

      const result = await store().completeBatch(late);

      expect(result.applied).toBe(false);
      expect(result.run.batchesDone).toBe(0);
      expect(await store().getBatch(run.id, 0)).toMatchObject({
        status: 'decided',
        decisions: saved,
      });
      const fresh = await store().completeBatch(completion(run, 1, { onlyIfPending: true }));
      expect(fresh.applied).toBe(true);
      expect(await store().getBatch(run.id, 1)).toMatchObject({ status: 'done' });
    });

    it('does not finish a run whose planning has not finished, even with every batch done', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' }, 2);
      await store().completeBatch(completion(run, 0));
      const { run: after } = await store().completeBatch(completion(run, 1));
      expect(after).toMatchObject({ status: 'PROCESSING', batchesDone: 2, endedAt: null });
    });

    it('moves a fully planned run to DONE when its last batch completes', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' }, 2);
      await store().finishPlanning(run.id, 2, 6, T0 + 100);
      const first = await store().completeBatch(completion(run, 1, { now: T0 + 200 }));
      expect(first.run).toMatchObject({ status: 'DELETING', batchesDone: 1, endedAt: null });
      const last = await store().completeBatch(completion(run, 0, { now: T0 + 300 }));
      expect(last.run).toMatchObject({ status: 'DONE', batchesDone: 2, endedAt: T0 + 300 });
      expect(await store().getRun(run.id)).toEqual(last.run);
    });

    it('stores the decisions of a cancelled run but never changes its final status', async () => {
      const run = await aStoredRun({ status: 'DELETING', batchCount: 1 }, 1);
      await store().updateRun(run.id, ['DELETING'], { status: 'CANCELLED', endedAt: T0 + 50 });
      const input = completion(run, 0, { now: T0 + 99 });
      const { applied, run: after } = await store().completeBatch(input);
      expect(applied).toBe(true);
      expect(after).toMatchObject({ status: 'CANCELLED', endedAt: T0 + 50, batchesDone: 1 });
      expect(after.counters.trashed).toBe(1);
      expect(await store().getBatch(run.id, 0)).toMatchObject({
        status: 'done',
        decisions: input.decisions,
      });
    });

    it('never changes the status of a failed run', async () => {
      const run = await aStoredRun({ status: 'FAILED', endedAt: T0 + 7, batchCount: 1 }, 1);
      const { run: after } = await store().completeBatch(completion(run, 0));
      expect(after).toMatchObject({ status: 'FAILED', endedAt: T0 + 7, batchesDone: 1 });
    });

    it('rejects a batch that was never put and changes nothing', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' }, 1);
      await expect(store().completeBatch(completion(run, 5))).rejects.toThrow();
      expect(await store().getRun(run.id)).toEqual(run);
      expect(await store().getBatch(run.id, 5)).toBeUndefined();
    });

    it('counts 50 batches completed at once exactly, and finishes the run exactly once', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' }, 50);
      await store().finishPlanning(run.id, 50, 150, T0);
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

      const results = await Promise.all(inputs.map((input) => store().completeBatch(input)));

      expect(results.every((r) => r.applied)).toBe(true);
      const finishers = results.filter((r) => r.run.status === 'DONE');
      expect(finishers).toHaveLength(1);
      const run50 = await store().getRun(run.id);
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
      const batches = await store().listBatches(run.id);
      expect(batches.filter((b) => b.status === 'done')).toHaveLength(50);
    });

    it('counts a batch completed 10 times at once only once', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' }, 2);
      const input = completion(run, 0);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store().completeBatch(input)),
      );
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      const after = await store().getRun(run.id);
      expect(after?.batchesDone).toBe(1);
      expect(after?.counters).toEqual(input.counters);
      expect(after?.llm).toEqual(input.llm);
    });
  });

  describe('finishing planning', () => {
    it('records the batch count and listed ids as the total and moves the run to DELETING', async () => {
      const run = await aStoredRun({ status: 'PROCESSING', total: 10 }, 3);
      const after = await store().finishPlanning(run.id, 3, 8, T0 + 10);
      const expected: Run = {
        ...run,
        status: 'DELETING',
        batchCount: 3,
        total: 8,
        counters: someCounters({ listed: 8 }),
      };
      expect(after).toEqual(expected);
      expect(await store().getRun(run.id)).toEqual(expected);
    });

    it('moves a queued run to DELETING too', async () => {
      const run = await aStoredRun({ status: 'QUEUED' }, 1);
      expect((await store().finishPlanning(run.id, 1, 1, T0))?.status).toBe('DELETING');
    });

    it('moves the run straight to DONE when every batch is already done', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' }, 2);
      await store().completeBatch(completion(run, 0));
      await store().completeBatch(completion(run, 1));
      const after = await store().finishPlanning(run.id, 2, 6, T0 + 10);
      expect(after).toMatchObject({ status: 'DONE', endedAt: T0 + 10, batchCount: 2 });
      expect(after?.counters).toMatchObject({ listed: 6, processed: 6 });
    });

    it('moves a run with no batches at all straight to DONE', async () => {
      const run = await aStoredRun({ status: 'PROCESSING' });
      const after = await store().finishPlanning(run.id, 0, 0, T0 + 10);
      expect(after).toMatchObject({ status: 'DONE', endedAt: T0 + 10, batchCount: 0 });
    });

    it('gives the same run when called again', async () => {
      const waiting = await aStoredRun({ status: 'PROCESSING' }, 2);
      const once = await store().finishPlanning(waiting.id, 2, 6, T0 + 10);
      expect(await store().finishPlanning(waiting.id, 2, 6, T0 + 20)).toEqual(once);

      const empty = await aStoredRun({ status: 'PROCESSING' });
      const done = await store().finishPlanning(empty.id, 0, 0, T0 + 10);
      expect(await store().finishPlanning(empty.id, 0, 0, T0 + 20)).toEqual(done);
      expect(await store().getRun(empty.id)).toEqual(done);
    });

    it('leaves a cancelled run as it is', async () => {
      const run = await aStoredRun({ status: 'CANCELLED', endedAt: T0 + 1 }, 2);
      expect(await store().finishPlanning(run.id, 2, 6, T0 + 10)).toEqual(run);
      expect(await store().getRun(run.id)).toEqual(run);
    });

    it('returns undefined for a run that does not exist', async () => {
      expect(await store().finishPlanning(unique('run'), 1, 1, T0)).toBeUndefined();
    });
  });
}
