import type { OAuth2Client } from 'google-auth-library';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../../../test/helpers/listen.js';
import {
  type RunningGoogle,
  startSimulatedGoogle,
  TEST_CLIENT,
} from '../../../test/helpers/simulated-google.js';
import { MailboxUnavailable, ReconnectNeeded } from '../../domain/mailbox-errors.js';
import { SCOPES } from '../../local/google/gmail-call.js';
import { makeIncomingMessage } from '../../local/google/mailbox-generator.js';
import { Random } from '../../local/google/random.js';
import { type GoogleEndpoints, googleEndpoints } from '../google-auth/google-endpoints.js';
import { createOAuthClient } from '../google-auth/oauth-client.js';
import { createGmailClient } from './gmail-client.js';
import { GmailMailbox, type GmailMailboxOptions } from './gmail-mailbox.js';
import { QuotaScheduler } from './quota-scheduler.js';

const OWNER = 'owner@example.com';
const BUDGET = 600;
const TOPIC = 'projects/clean-that-up/topics/gmail';

/**
 * One fake clock for the simulated Google and the scheduler. Waiting moves it forward at once,
 * so minutes of quota waits take no real time.
 */
function sharedClock() {
  const time = { now: 1_800_000_000_000, sleeps: 0 };
  return {
    time,
    clock: { now: () => time.now },
    sleep: async (ms: number) => {
      time.sleeps++;
      const target = time.now + ms;
      await new Promise((resolve) => setImmediate(resolve));
      time.now = Math.max(time.now, target);
    },
  };
}

describe('GmailMailbox against the simulated Google', () => {
  let sim: RunningGoogle;
  let proxy: Listening | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await sim?.close();
  });

  async function start(size: number, userUnitsPerMinute = BUDGET) {
    const shared = sharedClock();
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size, seed: 11 } }], {
      userUnitsPerMinute,
      now: shared.clock.now,
      accessTokenTtlSeconds: 30 * 86_400,
      seed: 3,
    });
    const scheduler = new QuotaScheduler({ userUnitsPerMinute, ...shared });
    const mailbox = (
      overrides: Partial<GmailMailboxOptions> & {
        auth?: OAuth2Client;
        endpoints?: GoogleEndpoints;
      } = {},
    ) => {
      const auth = overrides.auth ?? sim.authFor(OWNER);
      const endpoints = overrides.endpoints ?? sim.endpoints;
      return new GmailMailbox({
        gmail: createGmailClient(auth, endpoints),
        auth,
        endpoints,
        ledger: scheduler,
        userKey: 'user-1',
        units: sim.google.units,
        retry: { random: () => 0.5 },
        ...shared,
        ...overrides,
      });
    };
    const ids = (count: number) =>
      [...sim.google.account(OWNER).messagesAfter(undefined)].slice(0, count).map((m) => m.id);
    return { ...shared, scheduler, mailbox, ids };
  }

  /** Serves the simulated Google behind a hook that may answer a request itself. */
  async function intercept(hook: (request: Request) => Response | undefined) {
    proxy = await listen(async (request) => hook(request) ?? sim.google.app.fetch(request));
    return googleEndpoints(proxy.url);
  }

  it('keeps three concurrent readers of one user within the budget: no 429 from Gmail', async () => {
    const { mailbox, scheduler, ids, time } = await start(360);
    const all = ids(360);
    const started = time.now;
    const parts = [all.slice(0, 120), all.slice(120, 240), all.slice(240)];
    const results = await Promise.all(parts.map((part) => mailbox().getMetadata(part)));

    expect(results.map((r) => r.size)).toEqual([120, 120, 120]);
    const stats = sim.google.stats.snapshot(OWNER);
    expect(stats.rateLimited).toBe(0);
    expect(stats.methods['users.messages.get']?.calls).toBe(360);
    expect(sim.google.quota.peakUserUnitsPerMinute(OWNER)).toBeLessThanOrEqual(BUDGET);
    expect(scheduler.peak('user-1')).toBeLessThanOrEqual(BUDGET);
    // 7,200 units at 600 a minute cannot take less than 11 minutes.
    expect(time.now - started).toBeGreaterThanOrEqual(11 * 60_000);
  });

  it('reads From, Subject and the list headers into the metadata', async () => {
    const { mailbox, ids } = await start(200);
    const found = await mailbox().getMetadata(ids(200));
    const account = sim.google.account(OWNER);
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
    sim.google.faults.inject({ kind: 'error', status: 503, count: 3 });
    const first = await box.getMetadata(ids(60).slice(0, 30));
    sim.google.faults.inject({ kind: 'rateLimit', count: 3, retryAfterSeconds: 2 });
    const second = await box.getMetadata(ids(60).slice(30));
    expect([first.size, second.size]).toEqual([30, 30]);
    const stats = sim.google.stats.snapshot(OWNER);
    expect(stats.faulted).toBe(6);
    expect(stats.methods['users.messages.get']?.calls).toBe(60);
    expect(stats.rateLimited).toBe(0);
    expect(time.sleeps).toBeGreaterThan(0);
  });

  it('retries 503s, 429 bursts and dropped connections on single calls', async () => {
    const { mailbox } = await start(30);
    sim.google.faults.inject({
      kind: 'error',
      status: 503,
      count: 2,
      methods: ['users.getProfile'],
    });
    sim.google.faults.inject({ kind: 'rateLimit', count: 2, methods: ['users.messages.list'] });
    sim.google.faults.inject({ kind: 'reset', count: 2, methods: ['users.history.list'] });
    const box = mailbox();
    const profile = await box.profile();
    expect(profile).toMatchObject({ emailAddress: OWNER, messagesTotal: 30 });
    expect((await box.listIds({})).ids).toHaveLength(30);
    expect(await box.history(profile.historyId)).toMatchObject({ added: [] });
    expect(sim.google.stats.snapshot(OWNER).faulted).toBe(6);
  });

  it('gives up with MailboxUnavailable when Gmail keeps failing', async () => {
    const { mailbox } = await start(10);
    sim.google.faults.inject({ kind: 'error', status: 503, methods: ['users.getProfile'] });
    const box = mailbox({ retry: { random: () => 0.5, maxAttempts: 3 } });
    await expect(box.profile()).rejects.toBeInstanceOf(MailboxUnavailable);
    expect(sim.google.stats.snapshot(OWNER).faulted).toBe(3);
  });

  it('leaves messages that vanished after listing out of the metadata, without failing', async () => {
    const { mailbox } = await start(100);
    sim.google.faults.inject({ kind: 'vanish', count: 5 });
    const box = mailbox();
    const { ids } = await box.listIds({});
    expect(ids).toHaveLength(100);
    const found = await box.getMetadata(ids.map((m) => m.id));
    expect(found.size).toBe(95);
    const gone = ids.filter((m) => !found.has(m.id));
    for (const m of gone) expect(sim.google.account(OWNER).message(m.id)).toBeUndefined();
  });

  it('lists ids with a search query, 500 to a page', async () => {
    const { mailbox } = await start(1_200, 6_000);
    const box = mailbox();
    const first = await box.listIds({ q: 'in:anywhere' });
    expect(first.ids).toHaveLength(500);
    expect(first.nextPageToken).toBeDefined();
    const inbox = await box.listIds({ labelIds: ['INBOX'] });
    const account = sim.google.account(OWNER);
    for (const { id } of inbox.ids) expect(account.message(id)?.labelIds).toContain('INBOX');
  });

  it('asks for a new sign-in when the account was revoked, without retrying', async () => {
    const { mailbox, time } = await start(10);
    const signIn = createOAuthClient({
      ...TEST_CLIENT,
      redirectUri: 'http://127.0.0.1/cb',
      endpoints: sim.endpoints,
    });
    const verifier = await signIn.generateCodeVerifierAsync();
    const { code } = sim.google.oauth.signIn(
      signIn.generateAuthUrl({
        access_type: 'offline',
        scope: ['openid', SCOPES.modify],
        code_challenge: verifier.codeChallenge!,
        code_challenge_method: 'S256' as never,
      }),
    );
    const { tokens } = await signIn.getToken({ code: code!, codeVerifier: verifier.codeVerifier });
    sim.google.oauth.revokeAccount(OWNER);

    const auth = createOAuthClient({ ...TEST_CLIENT, endpoints: sim.endpoints });
    auth.setCredentials({ refresh_token: tokens.refresh_token! });
    const box = mailbox({ auth });
    await expect(box.profile()).rejects.toBeInstanceOf(ReconnectNeeded);
    await expect(box.getMetadata(['0123456789abcdef'])).rejects.toBeInstanceOf(ReconnectNeeded);
    expect(time.sleeps).toBe(0);
    expect(sim.google.stats.snapshot(OWNER).totalCalls).toBe(0);
  });

  it('trashes 2,500 messages in 3 batchModify calls, and untrash restores them', async () => {
    const { mailbox, ids } = await start(2_600);
    const chosen = ids(2_500);
    const box = mailbox();
    await box.trash(chosen);
    const account = sim.google.account(OWNER);
    expect(chosen.every((id) => account.message(id)?.labelIds.includes('TRASH'))).toBe(true);
    expect(sim.google.stats.snapshot(OWNER).methods['users.messages.batchModify']?.calls).toBe(3);

    await box.untrash(chosen);
    expect(chosen.some((id) => account.message(id)?.labelIds.includes('TRASH'))).toBe(false);
    expect(sim.google.stats.snapshot(OWNER).methods['users.messages.batchModify']?.calls).toBe(6);
  });

  it('trashes one or two messages one by one and three with one batchModify, whichever costs fewer units', async () => {
    const { mailbox, ids } = await start(20);
    const box = mailbox();
    const account = sim.google.account(OWNER);
    const [one, two, three, four, five, six] = ids(6) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const units = () => sim.google.stats.snapshot(OWNER).totalUnits;
    const methods = () => sim.google.stats.snapshot(OWNER).methods;

    await box.trash([one, two]);
    expect(units()).toBe(40);
    expect(methods()['users.messages.trash']?.calls).toBe(2);
    account.delete(account.message(three)!);
    sim.google.stats.reset();
    // A message deleted meanwhile is skipped; three ids cost less in one batchModify.
    await box.trash([three]);
    await box.trash([four, five, six]);
    expect(methods()['users.messages.batchModify']?.calls).toBe(1);
    expect(units()).toBe(20 + 50);
    expect(
      [one, two, four, five, six].every((id) => account.message(id)?.labelIds.includes('TRASH')),
    ).toBe(true);
  });

  it('reads added messages from history once each, with their labels, and reports an expired start id', async () => {
    const { mailbox, time } = await start(20);
    const box = mailbox();
    const { historyId: since } = await box.profile();
    const rng = new Random(9);
    const arrived = [0, 1, 2].map((i) =>
      makeIncomingMessage(rng, OWNER, time.now + i, i === 1 ? 'personal' : 'bulk'),
    );
    for (const message of arrived) sim.google.deliver(OWNER, message);
    await box.trash([arrived[0]!.id]);

    const page = await box.history(since);
    expect(page).not.toBe('expired');
    if (page === 'expired') return;
    expect(page.added.map((m) => m.id)).toEqual(arrived.map((m) => m.id));
    expect(page.added[1]?.labelIds).toContain('INBOX');
    expect(Number(page.historyId)).toBeGreaterThan(Number(since));

    sim.google.account(OWNER).expireHistory();
    expect(await box.history(since)).toBe('expired');
  });

  it('lists labels with their type, star markers as system labels', async () => {
    const { mailbox } = await start(20);
    const labels = await mailbox().labels();
    expect(labels).toContainEqual({ id: 'STARRED', type: 'system' });
    expect(labels).toContainEqual({ id: 'YELLOW_STAR', type: 'system' });
    expect(labels).toContainEqual({ id: 'Label_1', type: 'user' });
  });

  it('reports the conversations marked since a history id, by marking label, and the labels added', async () => {
    const { mailbox } = await start(40);
    const box = mailbox();
    const { historyId: since } = await box.profile();
    const account = sim.google.account(OWNER);
    const [starred, labelled, untouched] = [...account.messagesAfter(undefined)].filter(
      (m) => !m.labelIds.some((l) => ['STARRED', 'SENT', 'Label_1', 'RED_BANG'].includes(l)),
    );
    account.modify(starred!, ['RED_BANG'], []);
    account.modify(labelled!, ['Label_1'], []);
    account.modify(untouched!, ['IMPORTANT'], []);
    await box.trash([untouched!.id]);

    const marked = await box.protectedSince(since, [
      { id: 'STARRED', mark: 'starred' },
      { id: 'RED_BANG', mark: 'starred' },
      { id: 'Label_1', mark: 'labelled' },
    ]);
    expect(marked).not.toBe('expired');
    if (marked === 'expired') return;
    expect([...marked.messageIds].sort()).toEqual([starred!.id, labelled!.id].sort());
    expect(marked.marks).toEqual(
      new Map([
        [starred!.threadId, 'starred'],
        [labelled!.threadId, 'labelled'],
      ]),
    );

    const added = await box.labelsAdded(since);
    if (added === 'expired') throw new Error('history expired');
    expect(added.added.map((a) => [a.threadId, a.labelIds])).toEqual([
      [starred!.threadId, ['RED_BANG']],
      [labelled!.threadId, ['Label_1']],
      [untouched!.threadId, ['IMPORTANT']],
      [untouched!.threadId, ['TRASH']],
    ]);
    account.expireHistory();
    expect(await box.protectedSince(since, [{ id: 'STARRED', mark: 'starred' }])).toBe('expired');
    expect(await box.labelsAdded(since)).toBe('expired');
  });

  it('asks for what was marked with one unfiltered history listing when there are many labels', async () => {
    const { mailbox } = await start(40);
    const box = mailbox();
    const { historyId: since } = await box.profile();
    const account = sim.google.account(OWNER);
    const [labelled, other] = [...account.messagesAfter(undefined)].filter(
      (m) => !m.labelIds.some((l) => l === 'STARRED' || l.startsWith('Label_')),
    );
    account.modify(labelled!, ['Label_3'], []);
    account.modify(other!, ['IMPORTANT'], []);
    const labels = [
      { id: 'STARRED', mark: 'starred' as const },
      ...Array.from({ length: 30 }, (_, i) => ({
        id: `Label_${i + 1}`,
        mark: 'labelled' as const,
      })),
    ];
    const calls = () => sim.google.stats.snapshot(OWNER).methods['users.history.list']?.calls ?? 0;
    const before = calls();

    const marked = await box.protectedSince(since, labels);
    if (marked === 'expired') throw new Error('history expired');
    expect([...marked.messageIds]).toEqual([labelled!.id]);
    expect(marked.marks).toEqual(new Map([[labelled!.threadId, 'labelled']]));
    // One page for 31 labels, where filtered listings would have cost 31 calls.
    expect(calls() - before).toBe(1);
  });

  it('falls back to listings filtered by label once the unfiltered history is longer than they cost', async () => {
    const { mailbox } = await start(700);
    const box = mailbox();
    const { historyId: since } = await box.profile();
    const account = sim.google.account(OWNER);
    const unmarked = [...account.messagesAfter(undefined)].filter(
      (m) => !m.labelIds.some((l) => ['STARRED', 'SENT', 'TRASH', 'SPAM', 'Label_1'].includes(l)),
    );
    // More than a page (500) of the service's own trashing, then one starred message.
    await box.trash(unmarked.slice(1, 560).map((m) => m.id));
    account.modify(unmarked[0]!, ['STARRED'], []);
    const calls = () => sim.google.stats.snapshot(OWNER).methods['users.history.list']?.calls ?? 0;
    const before = calls();

    const marked = await box.protectedSince(since, [
      { id: 'STARRED', mark: 'starred' },
      { id: 'Label_1', mark: 'labelled' },
    ]);
    if (marked === 'expired') throw new Error('history expired');
    expect([...marked.messageIds]).toEqual([unmarked[0]!.id]);
    expect(marked.marks).toEqual(new Map([[unmarked[0]!.threadId, 'starred']]));
    // One unfiltered page, then one listing per label.
    expect(calls() - before).toBe(3);
  });

  it('watches the inbox and stops watching', async () => {
    const { mailbox, time } = await start(5);
    sim.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    const box = mailbox();
    const watched = await box.watch(TOPIC);
    expect(watched.expiration).toBeGreaterThan(time.now);
    expect(watched.historyId).toMatch(/^\d+$/);
    expect(sim.google.account(OWNER).watch).toMatchObject({
      topicName: TOPIC,
      labelIds: ['INBOX'],
      labelFilterBehavior: 'include',
    });
    await box.stop();
    expect(sim.google.account(OWNER).watch).toBeUndefined();
  });

  it('stops the other watch and watches again when Gmail allows only one', async () => {
    const { mailbox } = await start(5);
    sim.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    let refuse = true;
    const endpoints = await intercept((request) => {
      if (!refuse || !new URL(request.url).pathname.endsWith('/watch')) return undefined;
      refuse = false;
      const message =
        'Only one user push notification client allowed per developer (call /stop then try again)';
      return Response.json(
        { error: { code: 400, message, errors: [{ message, reason: 'invalidArgument' }] } },
        { status: 400 },
      );
    });
    const watched = await mailbox({ endpoints }).watch(TOPIC);
    expect(watched.historyId).toMatch(/^\d+$/);
    const stats = sim.google.stats.snapshot(OWNER);
    expect(stats.methods['users.stop']?.calls).toBe(1);
    expect(stats.methods['users.watch']?.calls).toBe(1);
    expect(sim.google.account(OWNER).watch?.topicName).toBe(TOPIC);
  });
});
