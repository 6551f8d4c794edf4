import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isComingOfAge } from '../src/domain/coming-of-age-log.js';
import type { Run } from '../src/domain/model.js';
import { oldBefore } from '../src/domain/scan-partitions.js';
import { Random } from '../src/local/google/random.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { disposable, envelope, PUSH_TOKEN, waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const DAY = 86_400_000;
const MIN_AGE = 30;
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';

/**
 * The owner's minimum age holds whatever the classifier says: an LLM that answers "trash" for
 * everything trashes nothing younger than 30 days, in a full scan of either strategy and in a
 * sync; the coming-of-age pass moves that mail to Trash once the clock has moved past it.
 */
describe.each(['by-sender', 'by-message'])(
  'the minimum age with an LLM that trashes everything (%s)',
  (strategy) => {
    const owner = `min-age-${strategy}@example.com`;
    let google: RunningGoogle;
    let fake: FakeOpenAi;
    let started: StartedService;
    let userId: string;
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const rng = new Random(strategy.length);
    const account = () => google.google.account(owner);
    const runs = () => started.service.store.listRuns(userId, 100);
    const trashed = () =>
      [...account().messagesAfter(undefined)].filter((m) => m.labelIds.includes('TRASH'));

    async function settled(predicate: (run: Run) => boolean, what: string): Promise<Run> {
      return waitFor(
        async () => {
          const run = (await runs()).find(predicate);
          return run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
        },
        what,
        120_000,
      );
    }

    beforeAll(async () => {
      google = await startSimulatedGoogle([{ email: owner, mailbox: { size: 400, seed: 21 } }], {
        userUnitsPerMinute: 10_000_000,
      });
      google.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
      fake = await startFakeOpenAi();
      fake.trashAll = true;
      started = await startLocalService(google, {
        clock,
        env: {
          GMAIL_USER_UNITS_PER_MINUTE: '1000000',
          OPENAI_BASE_URL: fake.baseUrl,
          PUSH_VERIFICATION_TOKEN: PUSH_TOKEN,
          PUBSUB_TOPIC: TOPIC,
          SCAN_STRATEGY: strategy,
        },
      });
      await signIn(started.client);
      await started.client.post('/app/openai-key', { apiKey: VALID_KEY });
      userId = account().sub;
      const user = await started.service.store.getUser(userId);
      await started.service.store.updateUser(userId, {
        policy: { ...user!.policy, minAgeDays: MIN_AGE, version: user!.policy.version + 1 },
      });
    }, 60_000);
    afterAll(async () => {
      await started?.close();
      await fake?.close();
      await google?.close();
    });

    it('trashes nothing younger than the minimum in a full scan, a sync, and trashes it once it comes of age', async () => {
      const start = await started.client.post('/app/runs');
      expect(start.status).toBe(303);
      const scan = await settled((r) => r.kind === 'full', 'the full scan');
      expect(scan.status).toBe('DONE');
      await waitFor(
        async () => (await started.service.store.getUser(userId))?.cursor,
        'the cursor',
      );
      const cutoff = oldBefore(scan.startedAt!, MIN_AGE) * 1000;
      const all = [...account().messagesAfter(undefined)];
      const young = all.filter((m) => m.internalDate >= cutoff);
      expect(young.length).toBeGreaterThan(20);
      expect(trashed().filter((m) => m.internalDate >= cutoff)).toEqual([]);
      // The LLM's "trash" still held for older mail: the rule is the age, not a blanket keep.
      expect(trashed().length).toBeGreaterThan(20);

      // New disposable mail arrives: the sync keeps it, with the reason in its decisions.
      await started.service.queue.idle();
      const arrivals = [0, 1, 2].map(() => disposable(rng, owner));
      for (const m of arrivals) google.google.deliver(owner, m);
      const before = (await runs()).length;
      const push = await fetch(`${started.url}/push/gmail?token=${PUSH_TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope(owner, account().historyId)),
      });
      expect(push.status).toBe(204);
      const sync = await waitFor(
        async () => {
          const list = await runs();
          const [newest] = list;
          return list.length > before && newest?.status === 'DONE' ? newest : undefined;
        },
        'the sync',
        120_000,
      );
      expect(sync.counters).toMatchObject({ processed: 3, trashed: 0, kept: 3 });
      const decisions = (await started.service.store.getBatch(sync.id, 0))?.decisions ?? [];
      expect(decisions.map((d) => d.reason)).toContain(
        `younger than your minimum age of ${MIN_AGE} days`,
      );
      expect(arrivals.some((m) => account().message(m.id)?.labelIds.includes('TRASH'))).toBe(false);

      // A month and a day later the daily pass trashes what the LLM wanted gone, young no more.
      offset = (MIN_AGE + 1) * DAY;
      await started.service.queue.idle();
      const cron = await started.service.runCron();
      expect(await cron.json()).toMatchObject({ comingOfAge: 1 });
      const pass = await settled(isComingOfAge, 'the coming-of-age run');
      expect(pass.status).toBe('DONE');
      expect(pass.counters.trashed).toBeGreaterThanOrEqual(arrivals.length);
      for (const m of arrivals) expect(account().message(m.id)?.labelIds).toContain('TRASH');
    }, 240_000);
  },
);

/** A review decides as any run does: applying it trashes nothing younger than the minimum. */
describe('the minimum age in an applied review, with an LLM that trashes everything', () => {
  const owner = 'min-age-review@example.com';
  let google: RunningGoogle;
  let fake: FakeOpenAi;
  let started: StartedService;

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: owner, mailbox: { size: 300, seed: 23 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    fake = await startFakeOpenAi();
    fake.trashAll = true;
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', OPENAI_BASE_URL: fake.baseUrl },
    });
    await signIn(started.client);
    await started.client.post('/app/openai-key', { apiKey: VALID_KEY });
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await fake?.close();
    await google?.close();
  });

  it('proposes and trashes only mail older than the minimum', async () => {
    const start = await started.client.post('/app/runs', { mode: 'review' });
    const runId = start.headers.get('location')!.replace('/runs/', '');
    const { store } = started.service;
    const review = await waitFor(
      async () => {
        const run = await store.getRun(runId);
        return run?.status === 'REVIEW' ? run : undefined;
      },
      'the review',
      120_000,
    );
    const apply = await started.client.send(`/app/runs/${runId}/apply`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(started.url).origin,
      },
      body: '',
    });
    expect(apply.status).toBeLessThan(400);
    const done = await waitFor(
      async () => {
        const run = await store.getRun(runId);
        return run?.status === 'DONE' ? run : undefined;
      },
      'the applied review',
      120_000,
    );
    const cutoff = oldBefore(review.startedAt!, MIN_AGE) * 1000;
    const all = [...google.google.account(owner).messagesAfter(undefined)];
    const trashed = all.filter((m) => m.labelIds.includes('TRASH'));
    expect(all.filter((m) => m.internalDate >= cutoff).length).toBeGreaterThan(10);
    expect(trashed.filter((m) => m.internalDate >= cutoff)).toEqual([]);
    expect(done.counters.trashed).toBeGreaterThan(10);
  }, 240_000);
});
