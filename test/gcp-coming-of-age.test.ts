import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import { isComingOfAge } from '../src/domain/coming-of-age-log.js';
import { SYSTEM_LABEL_IDS } from '../src/domain/message.js';
import type { Run } from '../src/domain/model.js';
import { Random } from '../src/local/google/random.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import {
  disposableSender,
  type GcpScannedUser,
  gcpScannedService,
  promotionFrom,
  pushNotification,
  runCron,
} from './helpers/gcp-ongoing-cleanup.js';
import { PUSH_ACCOUNT } from './helpers/gcp-service.js';
import { disposable, inTrash, personal, waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'gcp-aging@example.com';
const DAY = 86_400_000;

let emulator: FirestoreEmulator;
let db: Firestore;
beforeAll(async () => {
  emulator = await startFirestoreEmulator();
  db = createFirestore({ projectId: emulator.project, emulatorHost: emulator.host });
}, 90_000);
afterAll(async () => {
  await db?.terminate();
  await emulator?.stop();
}, 60_000);

/**
 * The coming-of-age pass in MODE=gcp (test/coming-of-age.test.ts does it locally): with the
 * rules at the default minimum age (30 days), new promotions are kept on arrival; once the
 * service's clock (and Cloud Tasks', which schedules by it) has moved 31 days, Cloud Scheduler's
 * call of the daily cron queues the pass, which trashes them. Gmail's dates are real ones.
 */
describe('the coming-of-age pass in gcp mode with the rules', () => {
  let google: RunningGoogle;
  let scanned: GcpScannedUser;
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const rng = new Random(4343);
  const account = () => google.google.account(OWNER);
  const store = () => scanned.gcp.service.store;
  const gets = () => google.google.stats.snapshot(OWNER).methods['users.messages.get']?.calls ?? 0;
  const runs = async () => store().listRuns(scanned.user.id, 100);

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 400, seed: 12 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    scanned = await gcpScannedService(google, db, OWNER, { minAgeDays: 30, clock });
  }, 180_000);
  afterAll(async () => {
    await scanned?.gcp.close();
    await google?.close();
  }, 60_000);

  /** Pushes the latest notification and waits for the sync's run to be DONE. */
  async function syncPushed(messageId: string): Promise<Run> {
    const before = (await runs()).length;
    expect(await pushNotification(google, scanned.gcp, OWNER, messageId)).toBe(204);
    return waitFor(async () => {
      const all = await runs();
      return all.length > before && all[0]?.status === 'DONE' ? all[0] : undefined;
    }, 'the sync');
  }

  it('catches up with a bounded search when Gmail expired the cursor, and says so in the log', async () => {
    const message = disposable(rng, OWNER);
    google.google.deliver(OWNER, message);
    // Gmail forgets history: the cursor, from before the message arrived, is now too old.
    account().expireHistory();

    const run = await syncPushed('expired-1');
    expect(run.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^Gmail no longer had the history since the last sync: caught up with the messages of the last 1 day\.$/,
      ),
    ]);
    expect(run.counters).toMatchObject({ trashed: 0 });
    // Young at the default minimum age: kept, and looked at again when it comes of age.
    expect(account().message(message.id)?.labelIds).not.toContain('TRASH');
    const cursor = (await store().getUser(scanned.user.id))?.cursor?.historyId;
    expect(BigInt(cursor!)).toBeGreaterThanOrEqual(BigInt(account().historyFloor));
    await scanned.gcp.tasks.idle(60_000);
  }, 60_000);

  it('keeps young promotions on arrival and trashes them once they come of age, touching nothing starred, labelled, snoozed or personal', async () => {
    const promotions = [0, 1, 2].map(() => disposable(rng, OWNER));
    const sender = promotions[0]!.from;
    const sameSender = promotions.map((m) => ({ ...m, from: sender }));
    const starred = { ...disposable(rng, OWNER), from: sender };
    starred.labelIds = [...starred.labelIds, 'STARRED'];
    const labelled = { ...disposable(rng, OWNER), from: sender };
    labelled.labelIds = [...labelled.labelIds, 'Label_1'];
    const person = personal(rng, OWNER);
    const snoozedLater = { ...disposable(rng, OWNER), from: sender };
    const arrivals = [...sameSender, starred, labelled, person, snoozedLater];
    for (const message of arrivals) google.google.deliver(OWNER, message);
    google.google.stats.reset();

    const sync = await syncPushed('young-1');
    // Young: everything kept, and labels alone said so (nothing read).
    expect(sync.counters).toMatchObject({ processed: 7, trashed: 0, protected: 2, kept: 5 });
    expect(gets()).toBe(0);
    expect(arrivals.some((m) => account().message(m.id)?.labelIds.includes('TRASH'))).toBe(false);

    // A sender never seen before: read once, remembered disposable, kept for its age.
    const fresh = {
      name: 'Fresh Deals',
      address: 'news@fresh-deals.example',
      bulk: true,
      listId: '<news.fresh-deals.example>',
    };
    const genuine = { ...disposable(rng, OWNER), from: fresh };
    google.google.deliver(OWNER, genuine);
    const kept = await syncPushed('young-2');
    expect(kept.counters).toMatchObject({ processed: 1, trashed: 0 });

    // The owner snoozes one of them: no label says so, only in:snoozed.
    account().snooze(snoozedLater.threadId);

    // A month and a day later, Cloud Scheduler calls the daily cron.
    await scanned.gcp.tasks.idle(60_000);
    offset = 31 * DAY;
    google.google.stats.reset();
    // Only the scheduler's account may call it: the push account's token changes nothing.
    const refused = await runCron(google, scanned.gcp, PUSH_ACCOUNT);
    expect(refused.status).toBe(403);
    await refused.body?.cancel();
    const cron = await runCron(google, scanned.gcp);
    expect(cron.status).toBe(200);
    expect(await cron.json()).toMatchObject({ comingOfAge: 1 });
    const pass = await waitFor(async () => {
      const run = (await runs()).find(isComingOfAge);
      return run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
    }, 'the coming-of-age run');
    expect(pass).toMatchObject({ kind: 'incremental', status: 'DONE' });
    expect(pass.errors[0]?.message).toMatch(/^Came of age: mail dated .* now older than 30 days/);
    expect(pass.counters.trashed).toBeGreaterThanOrEqual(4);
    expect(
      inTrash(
        google,
        OWNER,
        [...sameSender, genuine].map((m) => m.id),
      ),
    ).toBe(true);
    for (const untouched of [starred, labelled, person, snoozedLater]) {
      expect(account().message(untouched.id)?.labelIds).not.toContain('TRASH');
    }
    // Nothing the protection rules cover went to Trash, in the whole mailbox.
    const wronglyTrashed = [...account().messagesAfter(undefined)].filter(
      (m) =>
        m.labelIds.includes('TRASH') &&
        m.labelIds.some(
          (l) => ['STARRED', 'SENT', 'DRAFT', 'CHAT'].includes(l) || !SYSTEM_LABEL_IDS.has(l),
        ),
    );
    expect(wronglyTrashed).toEqual([]);
    console.log(
      `gcp coming of age: ${pass.total} messages looked at again, ${pass.counters.trashed} ` +
        `trashed, ${gets()} metadata reads, ${google.google.stats.snapshot(OWNER).totalUnits} Gmail units`,
    );

    // The same day again: the pass has run, nothing more happens.
    await scanned.gcp.tasks.idle(60_000);
    const count = (await runs()).filter(isComingOfAge).length;
    expect((await runCron(google, scanned.gcp)).status).toBe(200);
    await scanned.gcp.tasks.idle(60_000);
    expect((await runs()).filter(isComingOfAge)).toHaveLength(count);
    // Every task, the pass's and the cron's renewals and catch-up syncs, succeeded first time.
    const failed = scanned.gcp.tasks.attempts.filter((a) => a.status < 200 || a.status >= 300);
    expect(failed).toEqual([]);
  }, 150_000);
});

/**
 * With an OpenAI key: new promotions of a sender the full scan's LLM decided disposable are kept
 * while young, and the pass trashes them once they come of age, without asking the LLM again.
 */
describe('the coming-of-age pass in gcp mode with an OpenAI key', () => {
  const owner = 'gcp-aging-llm@example.com';
  let google: RunningGoogle;
  let fake: FakeOpenAi;
  let scanned: GcpScannedUser;
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const rng = new Random(4344);
  const account = () => google.google.account(owner);
  const runs = async () => scanned.gcp.service.store.listRuns(scanned.user.id, 100);

  beforeAll(async () => {
    // The daily cron goes through every user: only this file's second owner is left.
    await emulator.reset();
    google = await startSimulatedGoogle([{ email: owner, mailbox: { size: 300, seed: 13 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    fake = await startFakeOpenAi();
    scanned = await gcpScannedService(google, db, owner, {
      minAgeDays: 30,
      clock,
      apiKey: VALID_KEY,
      env: { OPENAI_BASE_URL: fake.baseUrl },
    });
  }, 180_000);
  afterAll(async () => {
    await scanned?.gcp.close();
    await fake?.close();
    await google?.close();
  }, 60_000);

  it('keeps young promotions of a sender the LLM decided disposable and trashes them once they come of age, leaving the starred one', async () => {
    const sender = await disposableSender(google, scanned.gcp, owner, scanned.user.id);
    const young = [0, 1, 2].map(() => promotionFrom(rng, owner, sender));
    const starred = promotionFrom(rng, owner, sender);
    starred.labelIds = [...starred.labelIds, 'STARRED'];
    for (const m of [...young, starred]) google.google.deliver(owner, m);
    const before = (await runs()).length;

    expect(await pushNotification(google, scanned.gcp, owner, 'young-llm')).toBe(204);
    const sync = await waitFor(async () => {
      const all = await runs();
      return all.length > before && all[0]?.status === 'DONE' ? all[0] : undefined;
    }, 'the sync');
    expect(sync.counters).toMatchObject({ processed: 4, trashed: 0, protected: 1, kept: 3 });

    await scanned.gcp.tasks.idle(60_000);
    offset = 31 * DAY;
    const seen = fake.requests.length;
    const cron = await runCron(google, scanned.gcp);
    expect(await cron.json()).toMatchObject({ comingOfAge: 1 });
    const pass = await waitFor(async () => {
      const run = (await runs()).find(isComingOfAge);
      return run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
    }, 'the coming-of-age run');
    expect(pass).toMatchObject({ kind: 'incremental', status: 'DONE' });
    expect(
      inTrash(
        google,
        owner,
        young.map((m) => m.id),
      ),
    ).toBe(true);
    expect(account().message(starred.id)?.labelIds).not.toContain('TRASH');
    // The sender's decision served as it was: the scan asked about that sender, the pass did not.
    const asked = fake.requests.map((r) => JSON.stringify(r.prompt).includes(sender.address));
    expect(asked.slice(0, seen).some(Boolean)).toBe(true);
    expect(asked.slice(seen).some(Boolean)).toBe(false);
    await scanned.gcp.tasks.idle(60_000);
    const failed = scanned.gcp.tasks.attempts.filter((a) => a.status < 200 || a.status >= 300);
    expect(failed).toEqual([]);
  }, 150_000);
});
