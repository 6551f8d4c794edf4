import type { gmail_v1 } from '@googleapis/gmail';
import { describe, expect, it } from 'vitest';
import { makeIncomingMessage } from '../src/local/google/mailbox-generator.js';
import { Random } from '../src/local/google/random.js';
import { failure, OWNER, simulatedGmailForTests } from './helpers/simulated-gmail-client.js';
import type { RunningGoogle } from './helpers/simulated-google.js';

// History and push notifications: what the simulated Gmail tells of changes to a mailbox.
describe('the simulated Gmail, through the real googleapis client', () => {
  let sim: RunningGoogle;
  let gmail: gmail_v1.Gmail;
  simulatedGmailForTests((started) => ({ sim, gmail } = started));

  it('reports history since a start id, filtered by type and paginated', async () => {
    const account = sim.google.account(OWNER);
    const start = account.historyId;
    const random = new Random(3);
    const arrived = [1, 2, 3, 4, 5].map(() =>
      makeIncomingMessage(random, OWNER, Date.now(), 'bulk'),
    );
    for (const message of arrived) sim.google.deliver(OWNER, message);
    await gmail.users.messages.batchModify({
      userId: 'me',
      requestBody: { ids: [arrived[0]!.id], addLabelIds: ['TRASH'] },
    });

    const added: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { data } = await gmail.users.history.list({
        userId: 'me',
        startHistoryId: String(start),
        historyTypes: ['messageAdded'],
        maxResults: 2,
        pageToken,
      });
      pages++;
      for (const record of data.history ?? []) {
        expect(record.labelsAdded).toBeUndefined();
        for (const { message } of record.messagesAdded ?? []) added.push(message!.id!);
      }
      expect(data.historyId).toBe(String(account.historyId));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(added).toEqual(arrived.map((m) => m.id));
    expect(pages).toBe(3);

    const { data: all } = await gmail.users.history.list({
      userId: 'me',
      startHistoryId: String(start),
    });
    const trashed = all.history!.flatMap((h) => h.labelsAdded ?? []);
    expect(trashed).toEqual([expect.objectContaining({ labelIds: ['TRASH'] })]);
  });

  it('answers 404 for an expired start history id', async () => {
    const account = sim.google.account(OWNER);
    const old = account.historyId;
    sim.google.deliver(OWNER, makeIncomingMessage(new Random(9), OWNER, Date.now(), 'personal'));
    account.expireHistory();
    const expired = await failure(
      gmail.users.history.list({ userId: 'me', startHistoryId: String(old) }),
    );
    expect(expired).toMatchObject({ status: 404, reason: 'notFound' });
    const fresh = await gmail.users.history.list({
      userId: 'me',
      startHistoryId: String(account.historyId),
    });
    expect(fresh.data.history).toBeUndefined();
  });

  it('publishes a notification per change while watched, and none after stop', async () => {
    const topic = 'projects/test/topics/gmail';
    const received: { emailAddress: string; historyId: number }[] = [];
    sim.google.notifier.setTopic(topic, {
      kind: 'function',
      deliver: (n) => void received.push(n),
    });
    expect(
      (await failure(gmail.users.watch({ userId: 'me', requestBody: { topicName: 'nope' } })))
        .status,
    ).toBe(400);
    const { data } = await gmail.users.watch({
      userId: 'me',
      requestBody: { topicName: topic, labelIds: ['INBOX'] },
    });
    expect(Number(data.expiration)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(data.historyId).toBe(String(sim.google.account(OWNER).historyId));

    sim.google.deliver(OWNER, makeIncomingMessage(new Random(11), OWNER, Date.now(), 'personal'));
    await sim.google.notifier.idle();
    expect(received).toEqual([
      { emailAddress: OWNER, historyId: sim.google.account(OWNER).historyId },
    ]);

    await gmail.users.stop({ userId: 'me' });
    sim.google.deliver(OWNER, makeIncomingMessage(new Random(12), OWNER, Date.now(), 'personal'));
    await sim.google.notifier.idle();
    expect(received).toHaveLength(1);
  });
});
