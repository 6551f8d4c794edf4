import type { gmail_v1 } from '@googleapis/gmail';
import { describe, expect, it } from 'vitest';
import { sendGmailBatch } from '../src/adapters/gmail/gmail-batch.js';
import { SCOPES } from '../src/local/google/gmail-call.js';
import { failure, OWNER, simulatedGmailForTests } from './helpers/simulated-gmail-client.js';
import type { RunningGoogle } from './helpers/simulated-google.js';

async function listAll(
  gmail: gmail_v1.Gmail,
  params: gmail_v1.Params$Resource$Users$Messages$List = {},
) {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await gmail.users.messages.list({
      userId: 'me',
      maxResults: 500,
      pageToken,
      ...params,
    });
    ids.push(...(data.messages ?? []).map((m) => m.id!));
    pageToken = data.nextPageToken ?? undefined;
  } while (pageToken);
  return ids;
}
describe('the simulated Gmail, through the real googleapis client', () => {
  let sim: RunningGoogle;
  let gmail: gmail_v1.Gmail;
  simulatedGmailForTests((started) => ({ sim, gmail } = started));

  it('answers getProfile with the address, totals and current history id', async () => {
    const { data } = await gmail.users.getProfile({ userId: 'me' });
    const account = sim.google.account(OWNER);
    expect(data).toEqual({
      emailAddress: OWNER,
      messagesTotal: account.messageCount,
      threadsTotal: account.threadCount,
      historyId: String(account.historyId),
    });
  });

  it('lists system and user labels', async () => {
    const { data } = await gmail.users.labels.list({ userId: 'me' });
    const ids = data.labels!.map((l) => l.id);
    expect(ids).toEqual(expect.arrayContaining(['INBOX', 'TRASH', 'CATEGORY_PROMOTIONS']));
    expect(data.labels!.some((l) => l.type === 'user' && l.id!.startsWith('Label_'))).toBe(true);
  });

  it('pages through every message outside Spam and Trash exactly once, newest first', async () => {
    const ids = await listAll(gmail);
    const account = sim.google.account(OWNER);
    const expected = [...account.messagesAfter(undefined)]
      .filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'))
      .map((m) => m.id);
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    const withSpam = await listAll(gmail, { includeSpamTrash: true });
    expect(withSpam.length).toBe(account.messageCount);
  });

  it('caps maxResults at 500 and filters by labelIds', async () => {
    const { data } = await gmail.users.messages.list({ userId: 'me', maxResults: 2_000 });
    expect(data.messages).toHaveLength(500);
    const starred = await listAll(gmail, { labelIds: ['STARRED', 'INBOX'] });
    for (const id of starred) {
      expect(sim.google.account(OWNER).message(id)!.labelIds).toEqual(
        expect.arrayContaining(['STARRED', 'INBOX']),
      );
    }
  });

  it('answers search queries the way Gmail reads them', async () => {
    const account = sim.google.account(OWNER);
    const promotions = await listAll(gmail, { q: 'category:promotions -is:starred' });
    expect(promotions.length).toBeGreaterThan(0);
    for (const id of promotions) {
      const labels = account.message(id)!.labelIds;
      expect(labels).toContain('CATEGORY_PROMOTIONS');
      expect(labels).not.toContain('STARRED');
    }
    const bulk = [...account.messagesAfter(undefined)].find(
      (m) => m.from.bulk && m.internalDate < Date.now() - 2 * 86_400_000,
    )!;
    const fromSender = await listAll(gmail, { q: `from:${bulk.from.address} older_than:1d` });
    expect(fromSender).toContain(bulk.id);
    for (const id of fromSender) expect(account.message(id)!.from.address).toBe(bulk.from.address);
    const big = await listAll(gmail, { q: 'larger:5M OR has:attachment' });
    for (const id of big) {
      const m = account.message(id)!;
      expect(m.sizeEstimate > 5 * 1024 * 1024 || m.attachments.length > 0).toBe(true);
    }
  });

  it('gets a message in minimal, metadata, full and raw formats', async () => {
    const account = sim.google.account(OWNER);
    const message = [...account.messagesAfter(undefined)].find((m) => m.from.bulk)!;
    const minimal = (
      await gmail.users.messages.get({ userId: 'me', id: message.id, format: 'minimal' })
    ).data;
    expect(minimal).toMatchObject({
      id: message.id,
      threadId: message.threadId,
      sizeEstimate: message.sizeEstimate,
    });
    expect(minimal.payload).toBeUndefined();

    const metadata = (
      await gmail.users.messages.get({
        userId: 'me',
        id: message.id,
        format: 'metadata',
        metadataHeaders: ['From', 'Subject', 'List-Unsubscribe'],
      })
    ).data;
    const names = metadata.payload!.headers!.map((h) => h.name);
    expect(names.sort()).toEqual(['From', 'List-Unsubscribe', 'Subject']);
    expect(metadata.payload!.headers!.find((h) => h.name === 'Subject')!.value).toBe(
      message.subject,
    );

    const full = (await gmail.users.messages.get({ userId: 'me', id: message.id })).data;
    const text = full.payload!.parts!.find((p) => p.mimeType === 'text/plain')!;
    expect(Buffer.from(text.body!.data!, 'base64url').toString()).toContain(message.snippet);

    const raw = (await gmail.users.messages.get({ userId: 'me', id: message.id, format: 'raw' }))
      .data;
    expect(Buffer.from(raw.raw!, 'base64url').toString()).toContain(`Subject: ${message.subject}`);
  });

  it('answers 404 for an unknown message and 400 for a malformed id', async () => {
    expect(
      (await failure(gmail.users.messages.get({ userId: 'me', id: 'ffffffffffffffff' }))).status,
    ).toBe(404);
    expect((await failure(gmail.users.messages.get({ userId: 'me', id: '../etc' }))).status).toBe(
      400,
    );
  });

  it('trashes with batchModify, hides Trash from lists, and untrashes', async () => {
    const account = sim.google.account(OWNER);
    const ids = (
      await gmail.users.messages.list({ userId: 'me', q: 'category:social', maxResults: 20 })
    ).data.messages!.map((m) => m.id!);
    await gmail.users.messages.batchModify({
      userId: 'me',
      requestBody: { ids, addLabelIds: ['TRASH'] },
    });
    for (const id of ids) expect(account.message(id)!.labelIds).toContain('TRASH');
    const visible = await listAll(gmail, { q: 'category:social' });
    expect(visible.filter((id) => ids.includes(id))).toEqual([]);
    expect((await listAll(gmail, { q: 'in:trash' })).sort()).toEqual([...ids].sort());

    await gmail.users.messages.untrash({ userId: 'me', id: ids[0]! });
    await gmail.users.messages.trash({ userId: 'me', id: ids[0]! });
    await gmail.users.messages.batchModify({
      userId: 'me',
      requestBody: { ids, removeLabelIds: ['TRASH'] },
    });
    for (const id of ids) expect(account.message(id)!.labelIds).not.toContain('TRASH');
  });

  it('refuses batchModify with more than 1,000 ids, bad ids or labels Gmail owns', async () => {
    const many = Array.from({ length: 1_001 }, (_, i) => i.toString(16).padStart(16, '0'));
    const tooMany = gmail.users.messages.batchModify({
      userId: 'me',
      requestBody: { ids: many, addLabelIds: ['TRASH'] },
    });
    expect((await failure(tooMany)).status).toBe(400);
    const sent = gmail.users.messages.batchModify({
      userId: 'me',
      requestBody: { ids: ['ffffffffffffffff'], addLabelIds: ['SENT'] },
    });
    expect((await failure(sent)).status).toBe(400);
  });

  it('requires the full-mail scope for batchDelete', async () => {
    const account = sim.google.account(OWNER);
    const [victim] = (await gmail.users.messages.list({ userId: 'me', maxResults: 1 })).data
      .messages!;
    const denied = await failure(
      gmail.users.messages.batchDelete({ userId: 'me', requestBody: { ids: [victim!.id!] } }),
    );
    expect(denied).toMatchObject({ status: 403, reason: 'insufficientPermissions' });
    const full = sim.gmailFor(OWNER, [SCOPES.full]);
    await full.users.messages.batchDelete({ userId: 'me', requestBody: { ids: [victim!.id!] } });
    expect(account.message(victim!.id!)).toBeUndefined();
  });

  it('runs multipart batch requests, each call answered and charged on its own', async () => {
    const ids = (
      await gmail.users.messages.list({ userId: 'me', maxResults: 3 })
    ).data.messages!.map((m) => m.id!);
    const before = sim.google.stats.snapshot(OWNER).methods['users.messages.get']?.calls ?? 0;
    const answers = await sendGmailBatch(sim.authFor(OWNER), sim.endpoints.gmailBatch, [
      ...ids.map((id) => ({
        method: 'GET' as const,
        path: `/gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=From`,
      })),
      { method: 'GET', path: '/gmail/v1/users/me/messages/ffffffffffffffff?format=minimal' },
      {
        method: 'POST',
        path: '/gmail/v1/users/me/messages/batchModify',
        body: { ids: [ids[0]], addLabelIds: ['STARRED'] },
      },
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 404, 204]);
    expect((answers[0]!.body as gmail_v1.Schema$Message).id).toBe(ids[0]);
    expect(sim.google.account(OWNER).message(ids[0]!)!.labelIds).toContain('STARRED');
    expect(sim.google.stats.snapshot(OWNER).methods['users.messages.get']!.calls).toBe(before + 4);
  });

  it('refuses a batch of more than 100 calls', async () => {
    const calls = Array.from({ length: 101 }, () => ({
      method: 'GET' as const,
      path: '/gmail/v1/users/me/profile',
    }));
    const response = await fetch(sim.endpoints.gmailBatch, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sim.google.oauth.issueAccessToken(OWNER, [SCOPES.modify])}`,
        'content-type': 'multipart/mixed; boundary=b',
      },
      body: `${calls.map((c) => `--b\r\nContent-Type: application/http\r\n\r\n${c.method} ${c.path} HTTP/1.1\r\n\r\n`).join('')}--b--`,
    });
    expect(response.status).toBe(400);
  });

  it('rejects a missing or unknown access token and another user id', async () => {
    const anonymous = await fetch(`${sim.server.url}/gmail/v1/users/me/profile`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { status: string } }).error.status).toBe(
      'UNAUTHENTICATED',
    );
    expect((await failure(gmail.users.getProfile({ userId: 'someone@example.com' }))).status).toBe(
      403,
    );
  });
});
