import { describe, expect, it } from 'vitest';
import { BUDGET, gmailMailboxFixture, OWNER } from '../../../test/helpers/gmail-mailbox-fixture.js';
import { TEST_CLIENT } from '../../../test/helpers/simulated-google.js';
import { MailboxUnavailable, ReconnectNeeded } from '../../domain/mailbox-errors.js';
import { SCOPES } from '../../local/google/gmail-call.js';
import { createOAuthClient } from '../google-auth/oauth-client.js';

describe('GmailMailbox against the simulated Google', () => {
  const fixture = gmailMailboxFixture();
  const { start, intercept } = fixture;

  it('keeps three concurrent readers of one user within the budget: no 429 from Gmail', async () => {
    const { mailbox, scheduler, ids, time } = await start(360);
    const all = ids(360);
    const started = time.now;
    const parts = [all.slice(0, 120), all.slice(120, 240), all.slice(240)];
    const results = await Promise.all(parts.map((part) => mailbox().getMetadata(part)));

    expect(results.map((r) => r.size)).toEqual([120, 120, 120]);
    const stats = fixture.sim.google.stats.snapshot(OWNER);
    expect(stats.rateLimited).toBe(0);
    expect(stats.methods['users.messages.get']?.calls).toBe(360);
    expect(fixture.sim.google.quota.peakUserUnitsPerMinute(OWNER)).toBeLessThanOrEqual(BUDGET);
    expect(scheduler.peak('user-1')).toBeLessThanOrEqual(BUDGET);
    // 7,200 units at 600 a minute cannot take less than 11 minutes.
    expect(time.now - started).toBeGreaterThanOrEqual(11 * 60_000);
  });

  it('reads From, Subject and the list headers into the metadata', async () => {
    const { mailbox, ids } = await start(200);
    const found = await mailbox().getMetadata(ids(200));
    const account = fixture.sim.google.account(OWNER);
    for (const meta of found.values()) {
      const message = account.message(meta.id)!;
      expect(meta).toMatchObject({
        threadId: message.threadId,
        fromAddress: message.from.address.toLowerCase(),
        fromName: message.from.name,
        subject: message.subject,
        internalDate: message.internalDate,
        listUnsubscribe: message.from.bulk,
        listId: message.from.listId ?? null,
      });
    }
    expect([...found.values()].some((m) => m.listUnsubscribe)).toBe(true);
  });

  it('sends metadata reads as batches of at most 50 calls', async () => {
    const { mailbox, ids } = await start(120, 6_000);
    const batches: number[] = [];
    const endpoints = await intercept((request) => {
      if (new URL(request.url).pathname === '/batch/gmail/v1') {
        const clone = request.clone();
        void clone.text().then((body) => batches.push(body.split('Content-ID:').length - 1));
      }
      return undefined;
    });
    const found = await mailbox({ endpoints }).getMetadata(ids(120));
    expect(found.size).toBe(120);
    expect(batches.sort((a, b) => b - a)).toEqual([50, 50, 20]);
  });

  it('retries 503s and 429 bursts in batch parts, sending again only the parts that failed', async () => {
    const { mailbox, ids, time } = await start(60);
    const box = mailbox();
    // One fault at a time: the simulator uses up every armed fault a call matches.
    fixture.sim.google.faults.inject({ kind: 'error', status: 503, count: 3 });
    const first = await box.getMetadata(ids(60).slice(0, 30));
    fixture.sim.google.faults.inject({ kind: 'rateLimit', count: 3, retryAfterSeconds: 2 });
    const second = await box.getMetadata(ids(60).slice(30));
    expect([first.size, second.size]).toEqual([30, 30]);
    const stats = fixture.sim.google.stats.snapshot(OWNER);
    expect(stats.faulted).toBe(6);
    expect(stats.methods['users.messages.get']?.calls).toBe(60);
    expect(stats.rateLimited).toBe(0);
    expect(time.sleeps).toBeGreaterThan(0);
  });

  it('retries 503s, 429 bursts and dropped connections on single calls', async () => {
    const { mailbox } = await start(30);
    fixture.sim.google.faults.inject({
      kind: 'error',
      status: 503,
      count: 2,
      methods: ['users.getProfile'],
    });
    fixture.sim.google.faults.inject({
      kind: 'rateLimit',
      count: 2,
      methods: ['users.messages.list'],
    });
    fixture.sim.google.faults.inject({ kind: 'reset', count: 2, methods: ['users.history.list'] });
    const box = mailbox();
    const profile = await box.profile();
    expect(profile).toMatchObject({ emailAddress: OWNER, messagesTotal: 30 });
    expect((await box.listIds({})).ids).toHaveLength(30);
    expect(await box.history(profile.historyId)).toMatchObject({ added: [] });
    expect(fixture.sim.google.stats.snapshot(OWNER).faulted).toBe(6);
  });

  it('gives up with MailboxUnavailable when Gmail keeps failing', async () => {
    const { mailbox } = await start(10);
    fixture.sim.google.faults.inject({ kind: 'error', status: 503, methods: ['users.getProfile'] });
    const box = mailbox({ retry: { random: () => 0.5, maxAttempts: 3 } });
    await expect(box.profile()).rejects.toBeInstanceOf(MailboxUnavailable);
    expect(fixture.sim.google.stats.snapshot(OWNER).faulted).toBe(3);
  });

  it('leaves messages that vanished after listing out of the metadata, without failing', async () => {
    const { mailbox } = await start(100);
    fixture.sim.google.faults.inject({ kind: 'vanish', count: 5 });
    const box = mailbox();
    const { ids } = await box.listIds({});
    expect(ids).toHaveLength(100);
    const found = await box.getMetadata(ids.map((m) => m.id));
    expect(found.size).toBe(95);
    const gone = ids.filter((m) => !found.has(m.id));
    for (const m of gone) expect(fixture.sim.google.account(OWNER).message(m.id)).toBeUndefined();
  });

  it('lists ids with a search query, 500 to a page', async () => {
    const { mailbox } = await start(1_200, 6_000);
    const box = mailbox();
    const first = await box.listIds({ q: 'in:anywhere' });
    expect(first.ids).toHaveLength(500);
    expect(first.nextPageToken).toBeDefined();
    const inbox = await box.listIds({ labelIds: ['INBOX'] });
    const account = fixture.sim.google.account(OWNER);
    for (const { id } of inbox.ids) expect(account.message(id)?.labelIds).toContain('INBOX');
  });

  it('asks for a new sign-in when the account was revoked, without retrying', async () => {
    const { mailbox, time } = await start(10);
    const signIn = createOAuthClient({
      ...TEST_CLIENT,
      redirectUri: 'http://127.0.0.1/cb',
      endpoints: fixture.sim.endpoints,
    });
    const verifier = await signIn.generateCodeVerifierAsync();
    const { code } = fixture.sim.google.oauth.signIn(
      signIn.generateAuthUrl({
        access_type: 'offline',
        scope: ['openid', SCOPES.modify],
        code_challenge: verifier.codeChallenge!,
        code_challenge_method: 'S256' as never,
      }),
    );
    const { tokens } = await signIn.getToken({ code: code!, codeVerifier: verifier.codeVerifier });
    fixture.sim.google.oauth.revokeAccount(OWNER);

    const auth = createOAuthClient({ ...TEST_CLIENT, endpoints: fixture.sim.endpoints });
    auth.setCredentials({ refresh_token: tokens.refresh_token! });
    const box = mailbox({ auth });
    await expect(box.profile()).rejects.toBeInstanceOf(ReconnectNeeded);
    await expect(box.getMetadata(['0123456789abcdef'])).rejects.toBeInstanceOf(ReconnectNeeded);
    expect(time.sleeps).toBe(0);
    expect(fixture.sim.google.stats.snapshot(OWNER).totalCalls).toBe(0);
  });

  it('trashes 2,500 messages in 3 batchModify calls, and untrash restores them', async () => {
    const { mailbox, ids } = await start(2_600);
    const chosen = ids(2_500);
    const box = mailbox();
    await box.trash(chosen);
    const account = fixture.sim.google.account(OWNER);
    expect(chosen.every((id) => account.message(id)?.labelIds.includes('TRASH'))).toBe(true);
    expect(
      fixture.sim.google.stats.snapshot(OWNER).methods['users.messages.batchModify']?.calls,
    ).toBe(3);

    await box.untrash(chosen);
    expect(chosen.some((id) => account.message(id)?.labelIds.includes('TRASH'))).toBe(false);
    expect(
      fixture.sim.google.stats.snapshot(OWNER).methods['users.messages.batchModify']?.calls,
    ).toBe(6);
  });

  it('trashes one or two messages one by one and three with one batchModify, whichever costs fewer units', async () => {
    const { mailbox, ids } = await start(20);
    const box = mailbox();
    const account = fixture.sim.google.account(OWNER);
    const [one, two, three, four, five, six] = ids(6) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const units = () => fixture.sim.google.stats.snapshot(OWNER).totalUnits;
    const methods = () => fixture.sim.google.stats.snapshot(OWNER).methods;

    await box.trash([one, two]);
    expect(units()).toBe(40);
    expect(methods()['users.messages.trash']?.calls).toBe(2);
    account.delete(account.message(three)!);
    fixture.sim.google.stats.reset();
    // A message deleted meanwhile is skipped; three ids cost less in one batchModify.
    await box.trash([three]);
    await box.trash([four, five, six]);
    expect(methods()['users.messages.batchModify']?.calls).toBe(1);
    expect(units()).toBe(20 + 50);
    expect(
      [one, two, four, five, six].every((id) => account.message(id)?.labelIds.includes('TRASH')),
    ).toBe(true);
  });
});
