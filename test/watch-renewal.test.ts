import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../src/domain/model.js';
import { QUIET_AFTER_MS } from '../src/jobs/watch-renewal.js';
import { type ScannedUser, scannedService, waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'watched@example.com';
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';
const DAY = 86_400_000;

/** The daily cron: watches about to expire are renewed, quiet users get a catch-up sync. */
describe('the watch renewal cron', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const calls = (method: 'users.watch' | 'users.history.list') =>
    google.google.stats.snapshot(OWNER).methods[method]?.calls ?? 0;
  const store = () => scanned.started.service.store;
  const owner = async () => (await store().getUser(scanned.user.id))!;

  /** Another connected user, watched for five more days, whom the cron must leave alone. */
  const other: User = {
    id: '100000000000000000042',
    emailHash: 'not-a-real-hash',
    refreshToken: 'v1.k.aXY.dGFn.Y2lwaGVy',
    openAiKey: null,
    needsReconnect: false,
    policy: {
      keepSenders: [],
      instructions: '',
      minAgeDays: 30,
      monthlyCapUsd: null,
      alwaysTrash: [],
      version: 1,
    },
    watch: { topic: TOPIC, expiration: Date.now() + 5 * DAY, lastNotificationAt: null },
    cursor: { historyId: '123', updatedAt: Date.now() },
    createdAt: Date.now(),
    updatedAt: Date.now(),
  };

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 120, seed: 4 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    google.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    scanned = await scannedService(google, OWNER, { PUBSUB_TOPIC: TOPIC });
    await store().putUser(other);
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });

  it('refuses callers without the task credentials', async () => {
    const response = await fetch(`${scanned.started.url}/cron/renew-watches`, { method: 'POST' });
    expect(response.status).toBe(403);
  });

  it('registered the watch on the configured topic and the cursor where the scan began', () => {
    expect(scanned.user.watch).toMatchObject({ topic: TOPIC, lastNotificationAt: null });
    expect(scanned.user.watch!.expiration).toBe(google.google.account(OWNER).watch!.expiration);
    expect(scanned.user.cursor?.historyId).toBe(scanned.scan.startHistoryId);
  });

  it('renews a watch that expires within two days and leaves the others untouched', async () => {
    const current = await owner();
    await store().updateUser(current.id, {
      watch: { ...current.watch!, expiration: Date.now() + DAY },
    });
    google.google.stats.reset();

    const response = await scanned.started.service.runCron();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      renewing: 1,
      catchingUp: 0,
      comingOfAge: 2,
      resumed: 0,
    });
    const renewed = await waitFor(async () => {
      const user = await owner();
      return user.watch!.expiration > Date.now() + 6 * DAY ? user : undefined;
    }, 'the renewed watch');
    expect(renewed.watch?.expiration).toBe(google.google.account(OWNER).watch!.expiration);
    expect(calls('users.watch')).toBe(1);
    expect(await store().getUser(other.id)).toEqual(other);

    // Renewed: the next day's cron has nothing to renew.
    const again = await scanned.started.service.runCron();
    expect(await again.json()).toEqual({ renewing: 0, catchingUp: 0, comingOfAge: 2, resumed: 0 });
    await scanned.started.service.queue.idle();
    expect(calls('users.watch')).toBe(1);
  });

  it('gives a user who has not synced for a long time a catch-up sync', async () => {
    const { cursor } = await owner();
    const longAgo = Date.now() - QUIET_AFTER_MS - DAY;
    await store().advanceCursor(scanned.user.id, cursor!.historyId, cursor!.historyId, longAgo);
    google.google.stats.reset();

    const response = await scanned.started.service.runCron();
    expect(await response.json()).toEqual({
      renewing: 0,
      catchingUp: 1,
      comingOfAge: 2,
      resumed: 0,
    });
    const synced = await waitFor(async () => {
      const user = await owner();
      return user.cursor!.updatedAt > longAgo ? user : undefined;
    }, 'the catch-up sync');
    // One read of new mail, one of the labels added since (marked conversations).
    expect(calls('users.history.list')).toBe(2);
    expect(BigInt(synced.cursor!.historyId)).toBeGreaterThanOrEqual(BigInt(cursor!.historyId));
    expect(await store().getUser(other.id)).toEqual(other);
  });
});
