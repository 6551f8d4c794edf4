import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIncomingMessage } from '../src/local/google/mailbox-generator.js';
import { Random } from '../src/local/google/random.js';
import { createPushSubscription, createTopic } from './helpers/emulator-rest.js';
import { type PubsubEmulator, startPubsubEmulator } from './helpers/emulators.js';
import { type Listening, listen } from './helpers/listen.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

/** A push delivery as the real Pub/Sub (here its emulator) POSTs it. */
interface PushEnvelope {
  message: {
    data: string;
    messageId: string;
    publishTime: string;
    attributes?: Record<string, string>;
  };
  subscription: string;
}

interface Received {
  readonly envelope: PushEnvelope;
  readonly notification: { emailAddress: string; historyId: number };
}

const STARTUP_TIMEOUT_MS = 90_000;
const DELIVERY_TIMEOUT_MS = 30_000;

describe('Gmail watch notifications through the real Pub/Sub emulator', () => {
  let emulator: PubsubEmulator;
  let push: Listening;
  let topic: string;
  let subscription: string;
  const received: Received[] = [];
  const running: RunningGoogle[] = [];

  beforeAll(async () => {
    emulator = await startPubsubEmulator();
    push = await listen(async (request) => {
      const envelope = (await request.json()) as PushEnvelope;
      const notification = JSON.parse(Buffer.from(envelope.message.data, 'base64').toString());
      received.push({ envelope, notification });
      return new Response(null, { status: 204 });
    });
    topic = await createTopic(emulator.host, emulator.project, 'gmail');
    subscription = await createPushSubscription(
      emulator.host,
      emulator.project,
      'gmail-push',
      'gmail',
      `${push.url}/pubsub/push`,
    );
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(running.map((sim) => sim.close()));
    await push?.close();
    await emulator?.stop();
  }, STARTUP_TIMEOUT_MS);

  async function simulatedGoogle(email: string, notificationIntervalMs?: number) {
    const sim = await startSimulatedGoogle(
      [{ email, mailbox: { size: 40, seed: 5 } }],
      notificationIntervalMs === undefined ? {} : { notificationIntervalMs },
    );
    running.push(sim);
    sim.google.notifier.setTopic(topic, { kind: 'pubsub-emulator', host: emulator.host });
    const { data } = await sim.gmailFor(email).users.watch({
      userId: 'me',
      requestBody: { topicName: topic, labelIds: ['INBOX'] },
    });
    return { sim, watchHistoryId: data.historyId! };
  }

  /** Notifications pushed for one address, each message once (push is at-least-once). */
  function pushedFor(email: string): Received[] {
    const seen = new Map<string, Received>();
    for (const r of received) {
      if (r.notification.emailAddress === email) seen.set(r.envelope.message.messageId, r);
    }
    return [...seen.values()];
  }

  it(
    'pushes a real Pub/Sub envelope carrying {emailAddress, historyId} for each new message',
    async () => {
      const email = 'owner@example.com';
      const { sim, watchHistoryId } = await simulatedGoogle(email, 0);
      const account = sim.google.account(email);
      const rng = new Random(1);
      const expected: number[] = [];
      for (let i = 0; i < 3; i++) {
        sim.google.deliver(email, makeIncomingMessage(rng, email, Date.now(), 'bulk'));
        expected.push(account.historyId);
      }
      await sim.google.notifier.idle();
      expect(sim.google.notifier.counters).toEqual({ sent: 3, dropped: 0, failed: 0 });

      await expect
        .poll(() => pushedFor(email).map((r) => r.notification.historyId), {
          timeout: DELIVERY_TIMEOUT_MS,
          interval: 100,
        })
        .toHaveLength(3);
      const pushed = pushedFor(email);
      expect(pushed.map((r) => r.notification.historyId).sort((a, b) => a - b)).toEqual(expected);
      for (const { envelope, notification } of pushed) {
        expect(envelope).toMatchObject({
          message: {
            data: expect.any(String),
            messageId: expect.stringMatching(/^\S+$/),
            publishTime: expect.any(String),
          },
          subscription,
        });
        expect(Number.isNaN(Date.parse(envelope.message.publishTime))).toBe(false);
        expect(Object.keys(notification).sort()).toEqual(['emailAddress', 'historyId']);
        expect(notification.emailAddress).toBe(email);
      }
      const latest = Math.max(...pushed.map((r) => r.notification.historyId));
      expect(latest).toBe(account.historyId);

      // What a receiver does next: read history from its stored id up to the pushed one.
      const history = await sim.gmailFor(email).users.history.list({
        userId: 'me',
        startHistoryId: watchHistoryId,
        historyTypes: ['messageAdded'],
      });
      expect(history.data.historyId).toBe(String(latest));
      expect(history.data.history?.flatMap((h) => h.messagesAdded ?? [])).toHaveLength(3);
    },
    DELIVERY_TIMEOUT_MS * 2,
  );

  it(
    'drops notifications beyond one a second per user, and history.list still covers every message',
    async () => {
      const email = 'burst@example.com';
      // The default interval: at most one notification a second, like Gmail.
      const { sim, watchHistoryId } = await simulatedGoogle(email);
      const rng = new Random(1);
      const delivered: string[] = [];
      for (let i = 0; i < 20; i++) {
        const message = makeIncomingMessage(rng, email, Date.now(), 'bulk');
        sim.google.deliver(email, message);
        delivered.push(message.id);
      }
      await sim.google.notifier.idle();
      const { counters } = sim.google.notifier;
      expect(counters.dropped).toBeGreaterThan(0);
      expect(counters.failed).toBe(0);
      expect(counters.sent + counters.dropped).toBe(20);

      await expect
        .poll(() => pushedFor(email).length, { timeout: DELIVERY_TIMEOUT_MS, interval: 100 })
        .toBe(counters.sent);
      expect(pushedFor(email).length).toBeLessThan(20);

      // The notifications that got through name an early history id; reading history from the
      // receiver's stored id (the watch's) still reaches the latest id and every message.
      const added: string[] = [];
      let pageToken: string | undefined;
      let lastHistoryId: string | undefined;
      do {
        const { data } = await sim.gmailFor(email).users.history.list({
          userId: 'me',
          startHistoryId: watchHistoryId,
          historyTypes: ['messageAdded'],
          maxResults: 500,
          pageToken,
        });
        added.push(
          ...(data.history ?? []).flatMap((h) => h.messagesAdded ?? []).map((m) => m.message!.id!),
        );
        lastHistoryId = data.historyId ?? undefined;
        pageToken = data.nextPageToken ?? undefined;
      } while (pageToken);
      expect(added).toEqual(delivered);
      expect(lastHistoryId).toBe(String(sim.google.account(email).historyId));
      const pushedMax = Math.max(...pushedFor(email).map((r) => r.notification.historyId));
      expect(Number(lastHistoryId)).toBeGreaterThanOrEqual(pushedMax);
    },
    DELIVERY_TIMEOUT_MS * 2,
  );
});
