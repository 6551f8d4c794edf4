import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../src/local/google/random.js';
import {
  disposable,
  envelope,
  PUSH_TOKEN,
  type ScannedUser,
  scannedService,
} from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'pushed@example.com';
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';

/** What `POST /push/gmail` answers, and that refused or pointless pushes cause no work. */
describe('the Gmail push endpoint', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const historyCalls = () =>
    google.google.stats.snapshot(OWNER).methods['users.history.list']?.calls ?? 0;
  const pending = () => scanned.started.service.queue.counts().pending;

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 200, seed: 3 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    google.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    scanned = await scannedService(google, OWNER, { PUBSUB_TOPIC: TOPIC });
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });

  async function push(body: unknown, query = `?token=${PUSH_TOKEN}`, init: RequestInit = {}) {
    return fetch(`${scanned.started.url}/push/gmail${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
  }
  const latest = () => google.google.account(OWNER).historyId + 1_000;

  it('answers 401 without credentials and 403 with a forged token, and queues nothing', async () => {
    const before = pending();
    expect((await push(envelope(OWNER, latest()), '')).status).toBe(401);
    expect((await push(envelope(OWNER, latest()), '?token=')).status).toBe(403);
    expect((await push(envelope(OWNER, latest()), '?token=forged')).status).toBe(403);
    expect((await push(envelope(OWNER, latest()), `?token=${PUSH_TOKEN}x`)).status).toBe(403);
    const bearer = { headers: { authorization: `Bearer ${PUSH_TOKEN}` } };
    expect((await push(envelope(OWNER, latest()), '', bearer)).status).toBe(403);
    expect(pending()).toBe(before);
  });

  it('answers 400 to anything that is not a Pub/Sub envelope carrying a Gmail notification', async () => {
    const good = envelope(OWNER, latest());
    const data = (value: unknown) =>
      Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
    const bodies: unknown[] = [
      'not json',
      '',
      [],
      {},
      { message: {} },
      { ...good, subscription: undefined },
      { ...good, message: { ...good.message, data: 'not base64 at all!' } },
      { ...good, message: { ...good.message, data: data('not json') } },
      { ...good, message: { ...good.message, data: data({ emailAddress: OWNER }) } },
      { ...good, message: { ...good.message, data: data({ historyId: 5 }) } },
      {
        ...good,
        message: { ...good.message, data: data({ emailAddress: 'nobody', historyId: 5 }) },
      },
      { ...good, message: { ...good.message, data: data({ emailAddress: OWNER, historyId: -1 }) } },
      {
        ...good,
        message: { ...good.message, data: data({ emailAddress: OWNER, historyId: '1e9' }) },
      },
      { ...good, message: { ...good.message, messageId: 7 } },
    ];
    const before = pending();
    for (const body of bodies) {
      const response = await push(body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
    expect(pending()).toBe(before);
  });

  it('answers 413 to a body over 64 KiB, with or without a content length', async () => {
    const huge = JSON.stringify({ ...envelope(OWNER, latest()), padding: 'x'.repeat(65 * 1024) });
    expect((await push(huge)).status).toBe(413);
    const chunks = [huge.slice(0, 40_000), huge.slice(40_000)];
    const stream = new ReadableStream({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
    const streamed = await push('', undefined, { body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('acknowledges a notification for an unknown address with 204 and does nothing else', async () => {
    const before = { pending: pending(), history: historyCalls() };
    const user = await scanned.started.service.store.getUser(scanned.user.id);
    const response = await push(envelope('stranger@example.com', latest()));
    expect(response.status).toBe(204);
    expect({ pending: pending(), history: historyCalls() }).toEqual(before);
    expect(await scanned.started.service.store.getUser(scanned.user.id)).toEqual(user);
  });

  it('acknowledges a notification for a user whose Google access is gone, and does nothing', async () => {
    const { store } = scanned.started.service;
    await store.updateUser(scanned.user.id, { needsReconnect: true });
    try {
      const user = await store.getUser(scanned.user.id);
      const response = await push(envelope(OWNER.toUpperCase(), latest()));
      expect(response.status).toBe(204);
      expect(await store.getUser(scanned.user.id)).toEqual(user);
      expect(pending()).toBe(0);
    } finally {
      await store.updateUser(scanned.user.id, { needsReconnect: false });
    }
  });

  it('acknowledges duplicates and late notifications without a sync', async () => {
    const { store } = scanned.started.service;
    const cursor = (await store.getUser(scanned.user.id))!.cursor!;
    const history = historyCalls();
    for (const id of [cursor.historyId, Number(cursor.historyId) - 7, 1]) {
      expect((await push(envelope(OWNER, id))).status).toBe(204);
    }
    expect(pending()).toBe(0);
    expect(historyCalls()).toBe(history);
    expect((await store.getUser(scanned.user.id))?.cursor).toEqual(cursor);
  });

  it('acknowledges a notification for a disconnected user with 204 and does nothing', async () => {
    const { client, service } = scanned.started;
    const disconnected = await client.post('/app/disconnect', { confirm: 'yes' });
    expect(disconnected.status).toBe(303);
    expect(google.google.account(OWNER).watch).toBeUndefined();
    const history = historyCalls();

    google.google.deliver(OWNER, disposable(new Random(5), OWNER));
    expect((await push(envelope(OWNER, latest()))).status).toBe(204);
    expect(pending()).toBe(0);
    await service.queue.idle();
    expect(historyCalls()).toBe(history);
    expect(await service.store.getUser(scanned.user.id)).toBeUndefined();
  });
});
