import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../src/local/google/random.js';
import {
  createPullSubscription,
  createPushSubscription,
  createTopic,
} from './helpers/emulator-rest.js';
import { type PubsubEmulator, startPubsubEmulator } from './helpers/emulators.js';
import {
  disposable,
  inTrash,
  PUSH_TOKEN,
  personal,
  scannedService,
  waitFor,
} from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const STARTUP_TIMEOUT_MS = 90_000;

/**
 * Ongoing cleanup end to end through Google's real Pub/Sub emulator: the simulated Gmail
 * publishes its watch notifications to a topic, and the service receives them by push (a push
 * subscription posting to /push/gmail) or by pull (PUBSUB_SUBSCRIPTION, no public URL).
 */
describe('ongoing cleanup through the Pub/Sub emulator', () => {
  let emulator: PubsubEmulator;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    emulator = await startPubsubEmulator();
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await emulator?.stop();
  }, STARTUP_TIMEOUT_MS);

  async function watchedMailbox(owner: string, topicName: string, env: Record<string, string>) {
    const topic = await createTopic(emulator.host, emulator.project, topicName);
    const google = await startSimulatedGoogle([{ email: owner, mailbox: { size: 300, seed: 8 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    closers.push(() => google.close());
    google.google.notifier.setTopic(topic, { kind: 'pubsub-emulator', host: emulator.host });
    const scanned = await scannedService(google, owner, { PUBSUB_TOPIC: topic, ...env });
    closers.push(() => scanned.started.close());
    return { google, scanned, topic };
  }

  const gets = (google: RunningGoogle, owner: string) =>
    google.google.stats.snapshot(owner).methods['users.messages.get']?.calls ?? 0;

  it('trashes new disposable mail pushed by Pub/Sub, reading only new mail from new senders', async () => {
    const owner = 'push-owner@example.com';
    const { google, scanned } = await watchedMailbox(owner, 'gmail-push', {});
    await createPushSubscription(
      emulator.host,
      emulator.project,
      'gmail-push-service',
      'gmail-push',
      `${scanned.started.url}/push/gmail?token=${encodeURIComponent(PUSH_TOKEN)}`,
    );
    const rng = new Random(31);
    google.google.stats.reset();
    const rounds: { messages: number; ms: number; workMs: number }[] = [];
    let delivered = 0;
    for (const size of [5, 5, 1]) {
      const junk = Array.from({ length: size === 1 ? 1 : size - 1 }, () => disposable(rng, owner));
      const kept = size === 1 ? [] : [personal(rng, owner)];
      const sent = Date.now();
      for (const message of [...junk, ...kept]) google.google.deliver(owner, message);
      delivered += junk.length + kept.length;
      await waitFor(
        () =>
          inTrash(
            google,
            owner,
            junk.map((m) => m.id),
          ),
        'new mail in Trash',
      );
      const ms = Date.now() - sent;
      const [run] = await scanned.started.service.store.listRuns(scanned.user.id, 1);
      // From the sync task reading history to the run's last batch, Trash included.
      const workMs = await waitFor(async () => {
        const done = await scanned.started.service.store.getRun(run!.id);
        return done?.endedAt ? done.endedAt - done.scheduledAt : undefined;
      }, 'the run to end');
      rounds.push({ messages: size, ms, workMs });
      for (const message of kept) {
        expect(google.google.account(owner).message(message.id)?.labelIds).not.toContain('TRASH');
      }
      await scanned.started.service.queue.idle();
    }

    // Old messages are never fetched again, and new mail from a sender decided before (by the
    // full scan or an earlier round) is attributed by search: at most one read per new message.
    expect(gets(google, owner)).toBeGreaterThan(0);
    expect(gets(google, owner)).toBeLessThan(delivered);
    const runs = await scanned.started.service.store.listRuns(scanned.user.id, 10);
    const incremental = runs.filter((r) => r.kind === 'incremental');
    expect(incremental.map((r) => [r.status, r.counters.processed, r.counters.trashed])).toEqual([
      ['DONE', 1, 1],
      ['DONE', 5, 4],
      ['DONE', 5, 4],
    ]);

    const stats = google.google.stats.snapshot(owner);
    const units = (method: keyof typeof stats.methods) => stats.methods[method]?.units ?? 0;
    console.log(
      `push sync: ${delivered} new messages in ${rounds.length} syncs, ${stats.totalUnits} Gmail units ` +
        `(${(stats.totalUnits / delivered).toFixed(1)} per new message: history.list ${units('users.history.list')}, ` +
        `messages.get ${units('users.messages.get')}, batchModify ${units('users.messages.batchModify')}); ` +
        `notification to Trash (by design 1.5 to 3.5 s before the sync: it waits for its window to close): ${rounds.map((r) => `${r.ms} ms (${r.messages} messages, ${r.workMs} ms from reading history to Trash)`).join(', ')}`,
    );
    expect(stats.rateLimited).toBe(0);
  }, 120_000);

  it('trashes new disposable mail pulled from a subscription, with no public URL', async () => {
    const owner = 'pull-owner@example.com';
    const topicName = 'gmail-pull';
    const subscription = `projects/${emulator.project}/subscriptions/gmail-pull-service`;
    const { google, scanned } = await watchedMailbox(owner, topicName, {
      PUBSUB_SUBSCRIPTION: subscription,
      PUBSUB_EMULATOR_HOST: emulator.host,
    });
    await createPullSubscription(emulator.host, emulator.project, 'gmail-pull-service', topicName);
    scanned.started.service.start();
    const rng = new Random(37);
    google.google.stats.reset();

    const junk = [disposable(rng, owner), disposable(rng, owner)];
    for (const message of junk) google.google.deliver(owner, message);
    await waitFor(
      () =>
        inTrash(
          google,
          owner,
          junk.map((m) => m.id),
        ),
      'pulled mail in Trash',
    );
    await scanned.started.service.queue.idle();
    expect(gets(google, owner)).toBe(2);
    const user = await scanned.started.service.store.getUser(scanned.user.id);
    expect(user?.watch?.lastNotificationAt).toEqual(expect.any(Number));
  }, 120_000);
});
