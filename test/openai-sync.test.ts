import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIncomingMessage } from '../src/local/google/mailbox-generator.js';
import { Random } from '../src/local/google/random.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { disposable, inTrash, personal, waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'llm-sync@example.com';

/**
 * With an OpenAI key, new mail from senders the LLM decided during the full scan follows the
 * cached decision without being read or sent to the LLM again.
 */
describe('a sync with an OpenAI key', () => {
  let google: RunningGoogle;
  let fake: FakeOpenAi;
  let started: StartedService;
  let userId: string;
  const rng = new Random(99);
  const gets = () => google.google.stats.snapshot(OWNER).methods['users.messages.get']?.calls ?? 0;
  /** Runs one sync through the task queue and waits for its run to be DONE. */
  const syncNow = async () => {
    const [previous] = await started.service.store.listRuns(userId, 1);
    await started.service.queue.enqueue({ path: '/tasks/sync', payload: { userId } });
    return waitFor(async () => {
      const [latest] = await started.service.store.listRuns(userId, 1);
      return latest?.kind === 'incremental' &&
        latest.id !== previous?.id &&
        latest.status === 'DONE'
        ? latest
        : undefined;
    }, 'the sync run');
  };

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 600, seed: 11 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    fake = await startFakeOpenAi();
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', OPENAI_BASE_URL: fake.baseUrl },
    });
    await signIn(started.client);
    await started.client.post('/app/openai-key', { apiKey: VALID_KEY });
    userId = google.google.account(OWNER).sub;
    // New mail is young: at the default minimum age the sync would keep it (see minimum-age.test.ts).
    const user = await started.service.store.getUser(userId);
    await started.service.store.updateUser(userId, { policy: { ...user!.policy, minAgeDays: 0 } });
    const start = await started.client.post('/app/runs');
    const runId = start.headers.get('location')!.replace('/runs/', '');
    await waitFor(async () => {
      const run = await started.service.store.getRun(runId);
      const user = await started.service.store.getUser(userId);
      return run?.status === 'DONE' && user?.cursor ? run : undefined;
    }, 'the full scan and the cursor');
    await started.service.queue.idle();
  }, 120_000);
  afterAll(async () => {
    await started?.close();
    await fake?.close();
    await google?.close();
  });

  it('trashes new mail from a sender the LLM decided disposable without reading it or asking again', async () => {
    const decided = await started.service.store.listSenderDecisions(userId, 1_000);
    const disposable = decided.find(
      (d) => d.action === 'trash' && d.senderKey.endsWith('|promotions'),
    );
    expect(disposable).toBeDefined();
    const address = disposable!.senderKey.slice(0, disposable!.senderKey.lastIndexOf('|'));
    const known = [...google.google.account(OWNER).messagesAfter(undefined)].find(
      (m) => m.from.address === address,
    )!;
    const fresh = (): SimMessage => ({
      ...makeIncomingMessage(rng, OWNER, Date.now() - 60_000, 'bulk', { from: known.from }),
      labelIds: ['CATEGORY_PROMOTIONS', 'INBOX', 'UNREAD'],
    });
    const junk = [fresh(), fresh(), fresh()];
    const person = personal(rng, OWNER);
    for (const message of [...junk, person]) google.google.deliver(OWNER, message);
    google.google.stats.reset();
    const calls = fake.stats.calls;

    await started.service.queue.enqueue({ path: '/tasks/sync', payload: { userId } });
    const run = await waitFor(async () => {
      const [latest] = await started.service.store.listRuns(userId, 1);
      return latest?.kind === 'incremental' && latest.status === 'DONE' ? latest : undefined;
    }, 'the sync run');

    expect(run.counters).toMatchObject({ processed: 4, trashed: 3 });
    expect(
      inTrash(
        google,
        OWNER,
        junk.map((m) => m.id),
      ),
    ).toBe(true);
    expect(google.google.account(OWNER).message(person.id)?.labelIds).not.toContain('TRASH');
    // Only the person's message was read, and only it went to the LLM (one call).
    expect(gets()).toBe(1);
    expect(fake.stats.calls - calls).toBe(1);
  }, 120_000);

  it('keeps new Primary mail from someone the owner replied to without reading it or asking the LLM', async () => {
    const decided = await started.service.store.listSenderDecisions(userId, 1_000);
    const friend = decided.find(
      (d) => d.senderKey.endsWith('|primary') && d.reason === 'someone you correspond with',
    );
    expect(friend).toBeDefined();
    const address = friend!.senderKey.slice(0, friend!.senderKey.lastIndexOf('|'));
    const known = [...google.google.account(OWNER).messagesAfter(undefined)].find(
      (m) => m.from.address === address,
    )!;
    const fresh = (labels: string[]): SimMessage => ({
      ...makeIncomingMessage(rng, OWNER, Date.now() - 60_000, 'personal', { from: known.from }),
      labelIds: ['CATEGORY_PERSONAL', 'INBOX', 'UNREAD', ...labels],
    });
    const mail = [fresh([]), fresh(['IMPORTANT'])];
    for (const message of mail) google.google.deliver(OWNER, message);
    google.google.stats.reset();
    const calls = fake.stats.calls;
    const run = await syncNow();

    expect(run.counters).toMatchObject({ processed: 2, trashed: 0, kept: 2 });
    const decisions = (await started.service.store.listBatches(run.id)).flatMap((b) => b.decisions);
    expect(decisions.map((d) => d.reason)).toEqual([
      'LLM, a sender decided to keep',
      'LLM, a sender decided to keep',
    ]);
    expect(gets()).toBe(0);
    expect(fake.stats.calls - calls).toBe(0);
  }, 120_000);

  it('trashes new promotions of a sender never seen, by the part the scan decided, with no read or sender search', async () => {
    const fresh = [disposable(rng, OWNER), disposable(rng, OWNER)];
    for (const message of fresh) google.google.deliver(OWNER, message);
    google.google.stats.reset();
    const calls = fake.stats.calls;
    const run = await syncNow();

    expect(run.counters).toMatchObject({ processed: 2, trashed: 2 });
    const decisions = (await started.service.store.listBatches(run.id)).flatMap((b) => b.decisions);
    for (const d of decisions) expect(d.reason).toMatch(/^LLM, by its Gmail category: /);
    const methods = google.google.stats.snapshot(OWNER).methods;
    expect(methods['users.messages.get']?.calls ?? 0).toBe(0);
    // One listing only: snoozed mail, checked before the sync's trash leaves (5 units).
    expect(methods['users.messages.list']?.calls ?? 0).toBe(1);
    expect(fake.stats.calls - calls).toBe(0);
  }, 120_000);
});
