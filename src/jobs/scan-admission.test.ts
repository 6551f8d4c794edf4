import { describe, expect, it } from 'vitest';
import { aRun, aUser } from '../../test/contract/store-contract.js';
import { fakeJobDeps, RecordingMailbox } from '../../test/helpers/job-fakes.js';
import { QuotaScheduler } from '../adapters/gmail/quota-scheduler.js';
import { GMAIL_UNIT_TABLES } from '../domain/gmail-quota.js';
import { quotaDayOf } from '../domain/quota-day.js';
import { estimateScanUnits } from '../domain/scan-estimate.js';
import { plannedStartOf } from '../domain/scan-waits.js';
import { enqueueNextBatch } from './batch-chain.js';
import { admitFullScan, releaseFullScan } from './scan-admission.js';

/** A mailbox of `messages` messages, as getProfile tells it. */
class SizedMailbox extends RecordingMailbox {
  constructor(private readonly messages: number) {
    super();
  }
  async profile() {
    return { emailAddress: 'a@example.com', historyId: '1', messagesTotal: this.messages };
  }
}

const NOW = Date.parse('2026-12-03T13:00:00Z');
const units = GMAIL_UNIT_TABLES['2026'];

function setup(dayBudget: number, messages = 1_000) {
  const fake = fakeJobDeps(new SizedMailbox(messages), NOW);
  const ledger = new QuotaScheduler({
    userUnitsPerMinute: 6_000,
    projectUnitsPerDay: dayBudget,
    clock: { now: () => NOW },
  });
  const deps = { ...fake.deps, dailyQuota: { ledger, units } };
  return { ...fake, deps, ledger };
}

async function storedScan(store: ReturnType<typeof setup>['store']) {
  const user = aUser();
  await store.putUser(user);
  const run = aRun({ userId: user.id, kind: 'full', status: 'QUEUED', errors: [] });
  await store.createRun(run);
  return { user, run };
}

describe('admitting a full scan into the day', () => {
  it("estimates a scan by message at a message's read, plus the fixed listings", () => {
    expect(estimateScanUnits(1_000, 'by-message', units)).toBe(500 + 1_000 * 20 + 110);
    expect(estimateScanUnits(1_000, 'by-sender', units)).toBe(500 + 2_500);
  });

  it('lets a scan that fits start, and queues nothing', async () => {
    const { deps, store, queued } = setup(100_000);
    const { user, run } = await storedScan(store);
    expect(await admitFullScan(deps, run, user)).toBe(true);
    expect(queued).toEqual([]);
    expect((await deps.dailyQuota.ledger.unitsToday()).committed).toBe(20_610);
  });

  /** Two 1,000-message scans by message (20,610 units each) admitted into a 50,000-unit day. */
  async function fullDay(fake: ReturnType<typeof setup>) {
    const scans = [await storedScan(fake.store), await storedScan(fake.store)];
    for (const { run, user } of scans) expect(await admitFullScan(fake.deps, run, user)).toBe(true);
    return scans;
  }

  it('keeps a scan that does not fit QUEUED, says when it starts once, and plans it for then', async () => {
    const fake = setup(50_000);
    const { deps, store, queued } = fake;
    await fullDay(fake);
    const { user, run } = await storedScan(store);
    expect(await admitFullScan(deps, run, user)).toBe(false);
    // A retried plan task finds it waiting and says nothing twice.
    const waiting = (await store.getRun(run.id))!;
    expect(await admitFullScan(deps, waiting, user)).toBe(false);
    const stored = (await store.getRun(run.id))!;
    const midnight = quotaDayOf(NOW).endsAt;
    expect(stored.status).toBe('QUEUED');
    expect(stored.errors).toHaveLength(1);
    expect(plannedStartOf(stored)).toBe(midnight);
    expect(queued[0]).toMatchObject({
      name: `plan-${run.id}-${midnight}`,
      path: '/tasks/plan',
      payload: { runId: run.id },
      delayMs: midnight - NOW,
    });
  });

  it('lets the next scan in once a finished one gives back what it was admitted with', async () => {
    const fake = setup(50_000);
    const [first] = await fullDay(fake);
    const third = await storedScan(fake.store);
    expect(await admitFullScan(fake.deps, third.run, third.user)).toBe(false);
    await releaseFullScan(fake.deps, first!.run);
    expect(await admitFullScan(fake.deps, third.run, third.user)).toBe(true);
  });

  it('keeps what a scan was admitted with while its plan has not saved the next batch yet', async () => {
    const fake = setup(100_000);
    const { run, user } = await storedScan(fake.store);
    expect(await admitFullScan(fake.deps, run, user)).toBe(true);
    await fake.store.updateRun(run.id, ['QUEUED'], { status: 'PROCESSING' });
    await fake.store.putBatches(run.id, [
      { batchNo: 0, messageIds: ['m1'], nextPageToken: null, listedThrough: 1 },
    ]);
    // Batch 0 decided, batch 1 not listed yet: the run goes on reading.
    await enqueueNextBatch(fake.deps, run.id, 0);
    expect((await fake.ledger.unitsToday()).committed).toBe(20_610);

    await fake.store.updateRun(run.id, ['PROCESSING'], { status: 'DONE' });
    await enqueueNextBatch(fake.deps, run.id, 0);
    expect((await fake.ledger.unitsToday()).committed).toBe(0);
  });
});
