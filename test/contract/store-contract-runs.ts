import { describe, expect, it } from 'vitest';
import { runState } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import {
  aDecision,
  aRun,
  batchesOf,
  someCounters,
  someUsage,
  storedRuns,
  T0,
  unique,
} from './store-contract.js';

/**
 * The Store contract for runs: reading them back, listing them, compare-and-set status changes
 * and the capped error list. Part of describeStoreContract, which gives a fresh store per test.
 */
export function describeRunsContract(store: () => Store): void {
  const aStoredRun = storedRuns(store);

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
      await store().createRun(run);
      expect(await store().getRun(run.id)).toEqual(run);
    });

    it('returns undefined for a run that does not exist', async () => {
      expect(await store().getRun(unique('run'))).toBeUndefined();
    });

    it('reads a run without its tally as getRun reads it, also while batches are counted', async () => {
      const run = aRun({ status: 'PROCESSING', startedAt: T0 + 1, startHistoryId: '7' });
      await store().createRun(run);
      await store().putBatches(run.id, batchesOf(2));
      await store().completeBatch({
        runId: run.id,
        batchNo: 0,
        decisions: [aDecision()],
        counters: someCounters({ processed: 3, trashed: 1 }),
        llm: someUsage({ calls: 1 }),
        now: T0 + 2,
      });
      await store().updateRun(run.id, ['PROCESSING'], { status: 'DELETING' });
      const full = await store().getRun(run.id);
      expect(full).toMatchObject({ status: 'DELETING', batchesDone: 1 });
      const { batchesDone: _done, counters: _counters, llm: _llm, ...state } = full!;
      expect(await store().getRunState(run.id)).toEqual(state);
      expect(await store().getRunState(unique('run'))).toBeUndefined();
    });

    it('refuses to create a run whose id is taken, keeping the first', async () => {
      const run = aRun();
      await store().createRun(run);
      await expect(store().createRun({ ...run, total: 99 })).rejects.toThrow();
      expect(await store().getRun(run.id)).toEqual(run);
    });

    it("lists a user's runs newest first, ties broken by id, up to the limit", async () => {
      const userId = unique('user');
      const old = aRun({ userId, scheduledAt: T0 });
      const tieA = aRun({ userId, id: `${unique('tie')}-a`, scheduledAt: T0 + 10 });
      const tieB = aRun({ userId, id: `${tieA.id.slice(0, -2)}-b`, scheduledAt: T0 + 10 });
      const newest = aRun({ userId, scheduledAt: T0 + 20 });
      for (const run of [tieA, old, newest, tieB, aRun({ scheduledAt: T0 + 30 })]) {
        await store().createRun(run);
      }
      expect(await store().listRuns(userId, 10)).toEqual([newest, tieB, tieA, old]);
      expect(await store().listRuns(userId, 2)).toEqual([newest, tieB]);
    });

    it('lists the runs of every user that are not final, up to the limit', async () => {
      const unfinished = (['QUEUED', 'PROCESSING', 'DELETING'] as const).map((status) =>
        aRun({ userId: unique('user'), status }),
      );
      const final = (['DONE', 'REVIEW', 'CANCELLED', 'FAILED'] as const).map((status) =>
        aRun({ userId: unique('user'), status }),
      );
      for (const run of [...unfinished, ...final]) await store().createRun(run);

      const listed = await store().listUnfinishedRuns(1_000);
      const ids = listed.map((run) => run.id);
      for (const run of unfinished) expect(ids).toContain(run.id);
      for (const run of final) expect(ids).not.toContain(run.id);
      const statuses = new Set(listed.map((run) => run.status));
      expect([...statuses].every((s) => ['QUEUED', 'PROCESSING', 'DELETING'].includes(s))).toBe(
        true,
      );
      const deleting = listed.find((run) => run.id === unfinished[2]!.id);
      expect(deleting).toEqual(runState(unfinished[2]!));
      expect(await store().listUnfinishedRuns(1)).toHaveLength(1);
    });

    it('changes a run when its status is one of the expected ones', async () => {
      const run = await aStoredRun({ status: 'QUEUED' });
      const patch = { status: 'PROCESSING', startedAt: T0 + 5, startHistoryId: '42' } as const;
      const updated = await store().updateRun(run.id, ['QUEUED'], { ...patch, total: 10 });
      expect(updated).toEqual({ ...run, ...patch, total: 10 });
      expect(await store().getRun(run.id)).toEqual(updated);
    });

    it('changes nothing and returns undefined when the status is not an expected one', async () => {
      const run = await aStoredRun({ status: 'CANCELLED', endedAt: T0 + 1 });
      const patch = { status: 'PROCESSING', endedAt: null } as const;
      expect(await store().updateRun(run.id, ['QUEUED', 'PROCESSING'], patch)).toBeUndefined();
      expect(await store().updateRun(run.id, [], patch)).toBeUndefined();
      expect(await store().getRun(run.id)).toEqual(run);
    });

    it('returns undefined when updating a run that does not exist', async () => {
      const missing = unique('run');
      expect(await store().updateRun(missing, ['QUEUED'], { status: 'FAILED' })).toBeUndefined();
      expect(await store().getRun(missing)).toBeUndefined();
    });

    it('lets exactly one of two racing compare-and-sets win', async () => {
      const run = await aStoredRun({ status: 'QUEUED' });
      const results = await Promise.all([
        store().updateRun(run.id, ['QUEUED'], { status: 'PROCESSING' }),
        store().updateRun(run.id, ['QUEUED'], { status: 'CANCELLED' }),
      ]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('appends errors in order and keeps only the newest 50', async () => {
      const run = await aStoredRun();
      for (let i = 0; i < 55; i++) {
        await store().appendRunError(run.id, { at: T0 + i, message: `error ${i}` });
      }
      const errors = (await store().getRun(run.id))?.errors ?? [];
      expect(errors).toHaveLength(50);
      expect(errors[0]).toEqual({ at: T0 + 5, message: 'error 5' });
      expect(errors[49]).toEqual({ at: T0 + 54, message: 'error 54' });
    });

    it('loses no error when many are appended at once', async () => {
      const run = await aStoredRun();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store().appendRunError(run.id, { at: T0 + i, message: `error ${i}` }),
        ),
      );
      expect((await store().getRun(run.id))?.errors).toHaveLength(20);
    });

    it('ignores an error appended to a run that does not exist', async () => {
      const missing = unique('run');
      await store().appendRunError(missing, { at: T0, message: 'lost' });
      expect(await store().getRun(missing)).toBeUndefined();
    });
  });
}
