import { describe, expect, it } from 'vitest';
import { ZERO_USAGE } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import {
  aDecision,
  completion,
  planned,
  someUsage,
  storedRuns,
  T0,
  unique,
} from './store-contract.js';

/**
 * The Store contract for planned batches: putting them, reading them back with their plan, and
 * saving a batch's decisions once. Part of describeStoreContract, which gives a fresh store per
 * test.
 */
export function describeBatchesContract(store: () => Store): void {
  const aStoredRun = storedRuns(store);

  describe('batches', () => {
    it('creates pending batches with their ids and lists them by number', async () => {
      const run = await aStoredRun();
      await store().putBatches(run.id, [planned(1, ['b', 'c']), planned(0, ['a'])]);
      const fresh = { status: 'pending', decisions: [], llm: ZERO_USAGE, plan: null };
      expect(await store().listBatches(run.id)).toEqual([
        { runId: run.id, ...planned(0, ['a']), ...fresh },
        { runId: run.id, ...planned(1, ['b', 'c']), ...fresh },
      ]);
      expect(await store().getBatch(run.id, 1)).toEqual({
        runId: run.id,
        ...planned(1, ['b', 'c']),
        ...fresh,
      });
    });

    it('returns undefined for a batch that does not exist', async () => {
      const run = await aStoredRun({}, 1);
      expect(await store().getBatch(run.id, 1)).toBeUndefined();
      expect(await store().getBatch(unique('run'), 0)).toBeUndefined();
    });

    it('keeps a batch of 500 ids and 500 decisions intact', async () => {
      const run = await aStoredRun();
      const ids = Array.from({ length: 500 }, (_, i) => `${i.toString(16).padStart(16, '0')}`);
      await store().putBatches(run.id, [planned(0, ids)]);
      const decisions = ids.map((id) => aDecision({ id, reason: `reason for ${id}` }));
      await store().completeBatch(completion(run, 0, { decisions }));
      const batch = await store().getBatch(run.id, 0);
      expect(batch?.messageIds).toEqual(ids);
      expect(batch?.decisions).toEqual(decisions);
    });

    it('never resets a done batch or changes its ids when batches are put again', async () => {
      const run = await aStoredRun({}, 2);
      await store().completeBatch(completion(run, 0));
      const before = await store().listBatches(run.id);

      await store().putBatches(run.id, [planned(0, ['x']), planned(1, ['y']), planned(2, ['z'])]);

      const after = await store().listBatches(run.id);
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
      await store().putBatches(run.id, [
        { ...planned(0, ['m1', 'm2']), plan },
        { ...planned(1, ['m3']), plan: { kind: 'protected', reason: 'starred' } },
      ]);
      expect((await store().getBatch(run.id, 0))?.plan).toEqual(plan);
      expect((await store().getBatch(run.id, 1))?.plan).toEqual({
        kind: 'protected',
        reason: 'starred',
      });
    });

    it('finds the last batch, where a retried plan resumes', async () => {
      const run = await aStoredRun();
      expect(await store().lastBatch(run.id)).toBeUndefined();
      await store().putBatches(run.id, [
        planned(0, ['a']),
        planned(2, ['c'], true),
        planned(1, ['b']),
      ]);
      expect(await store().lastBatch(run.id)).toMatchObject({
        batchNo: 2,
        nextPageToken: null,
        listedThrough: 3,
      });
    });

    it('saves decisions once, before the batch is done, and counts them on completion', async () => {
      const run = await aStoredRun({}, 1);
      const decisions = [aDecision({ id: 'm-0-0', decision: 'trash', bytes: 9 })];
      const usage = someUsage();
      const decided = await store().saveDecisions(run.id, 0, decisions, usage);
      expect(decided).toMatchObject({ status: 'decided', decisions, llm: usage });
      const again = await store().saveDecisions(
        run.id,
        0,
        [aDecision({ id: 'other' })],
        ZERO_USAGE,
      );
      expect(again.decisions).toEqual(decisions);
      expect(await store().getBatch(run.id, 0)).toMatchObject({
        status: 'decided',
        decisions,
        llm: usage,
      });
      const { applied } = await store().completeBatch(completion(run, 0, { decisions }));
      expect(applied).toBe(true);
      expect((await store().saveDecisions(run.id, 0, [], ZERO_USAGE)).status).toBe('done');
    });

    it('refuses to save decisions for a batch that does not exist', async () => {
      const run = await aStoredRun({}, 1);
      await expect(store().saveDecisions(run.id, 5, [], ZERO_USAGE)).rejects.toThrow();
    });

    it('keeps batches of different runs apart', async () => {
      const a = await aStoredRun({}, 1);
      const b = await aStoredRun({}, 3);
      expect(await store().listBatches(a.id)).toHaveLength(1);
      expect(await store().listBatches(b.id)).toHaveLength(3);
    });
  });
}
