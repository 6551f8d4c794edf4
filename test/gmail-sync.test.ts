import { describe, expect, it } from 'vitest';
import { markOfLabels } from '../src/domain/protection.js';
import { makeIncomingMessage } from '../src/local/google/mailbox-generator.js';
import { Random } from '../src/local/google/random.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import {
  disposable,
  inTrash,
  personal,
  type ScannedUser,
  waitFor,
} from './helpers/ongoing-cleanup.js';
import { pendingSyncs, pushSyncedOwnerForTests } from './helpers/push-synced-owner.js';
import type { RunningGoogle } from './helpers/simulated-google.js';

const OWNER = 'synced@example.com';
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';

/** Syncs driven by push notifications: what they read, decide, trash, and where the cursor goes. */
describe('a sync after a push notification', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const rng = new Random(2027);
  const { account, calls, store, user, incrementalRuns, push, windowStart, settledRuns } =
    pushSyncedOwnerForTests(OWNER, TOPIC, (started) => ({ google, scanned } = started));

  it('makes one sync of a burst of 100 notifications and trashes only the new disposable mail', async () => {
    const junk = [disposable(rng, OWNER), disposable(rng, OWNER), disposable(rng, OWNER)];
    const kept = [personal(rng, OWNER)];
    for (const message of [...junk, ...kept]) google.google.deliver(OWNER, message);
    const latest = account().historyId;
    const { queue } = scanned.started.service;

    await windowStart();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => push(latest, `burst-${i}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(204));

    const [run] = await settledRuns(1);
    await queue.idle();
    // One sync read history (new mail, then labels added since), and no other waits for a
    // later window (the trash outbox's timer may still wait for the end of its minute: it
    // finds nothing left to flush).
    expect(pendingSyncs(queue)).toBe(0);
    // The flush of the sync's trash reads the labels added since once more (trash-outbox.ts).
    expect(calls('users.history.list')).toBe(3);
    // One of the three promotions comes from a sender the full scan read: a search attributes
    // it (this seed), the other three messages are read.
    expect(calls('users.messages.get')).toBe(3);
    expect(run).toMatchObject({ status: 'DONE', total: 4 });
    expect(run?.counters).toMatchObject({ processed: 4, trashed: 3, kept: 1 });
    expect(
      inTrash(
        google,
        OWNER,
        junk.map((m) => m.id),
      ),
    ).toBe(true);
    expect(account().message(kept[0]!.id)?.labelIds).not.toContain('TRASH');
    const after = await user();
    expect(after.cursor?.historyId).toBe(String(latest));
    expect(after.watch?.lastNotificationAt).toEqual(expect.any(Number));
  });

  it('lets only one of two racing syncs claim new mail, and never moves the cursor backward', async () => {
    const before = (await incrementalRuns()).length;
    const cursor = (await user()).cursor!.historyId;
    const message = disposable(rng, OWNER);
    google.google.deliver(OWNER, message);
    const { queue } = scanned.started.service;
    const sync = { path: '/tasks/sync', payload: { userId: scanned.user.id } };
    await Promise.all([
      queue.enqueue({ ...sync, name: 'a' }),
      queue.enqueue({ ...sync, name: 'b' }),
    ]);

    const all = await settledRuns(before + 1);
    const runs = all.slice(0, all.length - before);
    await queue.idle();
    expect(runs.filter((r) => r.status === 'DONE')).toHaveLength(1);
    expect(runs.filter((r) => r.status !== 'DONE').every((r) => r.status === 'CANCELLED')).toBe(
      true,
    );
    expect(calls('users.messages.get')).toBe(1);
    expect(inTrash(google, OWNER, [message.id])).toBe(true);
    const moved = (await user()).cursor!.historyId;
    expect(BigInt(moved)).toBeGreaterThan(BigInt(cursor));

    // A late notification from before the sync changes nothing.
    expect((await push(cursor)).status).toBe(204);
    expect(pendingSyncs(queue)).toBe(0);
    expect((await user()).cursor?.historyId).toBe(moved);
  });

  it('protects a thread the user replies in, decided in the same sync as the reply', async () => {
    const first = disposable(rng, OWNER);
    const reply = {
      ...makeIncomingMessage(rng, OWNER, Date.now(), 'personal'),
      threadId: first.id,
      labelIds: ['SENT'],
    };
    const followUp = { ...disposable(rng, OWNER), threadId: first.id };
    for (const message of [first, reply, followUp]) google.google.deliver(OWNER, message);
    const before = (await incrementalRuns()).length;

    await push(account().historyId);
    const [run] = await settledRuns(before + 1);
    const decisions = (await store().listBatches(run!.id)).flatMap((b) => b.decisions);
    expect(decisions.map((d) => [d.id, d.decision, d.reason])).toEqual([
      [first.id, 'protected', 'in a thread you replied to'],
      [followUp.id, 'protected', 'in a thread you replied to'],
    ]);
    // History's thread ids and the stored reply protect both without reading either.
    expect(calls('users.messages.get')).toBe(0);
  });

  it('moves new mail from a sender decided before to Trash without reading it, and keeps what is starred', async () => {
    const { queue } = scanned.started.service;
    const first = disposable(rng, OWNER);
    google.google.deliver(OWNER, first);
    let before = (await incrementalRuns()).length;
    await push(account().historyId);
    await settledRuns(before + 1);
    await queue.idle();
    // A sender never seen is read once; the rules remember it sends with an unsubscribe link.
    expect(calls('users.messages.get')).toBe(1);
    expect(inTrash(google, OWNER, [first.id])).toBe(true);

    google.google.stats.reset();
    const later = [0, 1, 2].map(() => ({ ...disposable(rng, OWNER), from: first.from }));
    const starred = { ...disposable(rng, OWNER), from: first.from };
    starred.labelIds = [...starred.labelIds, 'STARRED'];
    for (const message of [...later, starred]) google.google.deliver(OWNER, message);
    before = (await incrementalRuns()).length;
    await push(account().historyId);
    const [run] = await settledRuns(before + 1);
    await queue.idle();
    // Search attributes them within the sender's category (Promotions): none is read, the
    // starred one included.
    expect(calls('users.messages.get')).toBe(0);
    expect(run?.counters).toMatchObject({ processed: 4, trashed: 3, protected: 1 });
    expect(
      inTrash(
        google,
        OWNER,
        later.map((m) => m.id),
      ),
    ).toBe(true);
    expect(account().message(starred.id)?.labelIds).not.toContain('TRASH');
  });

  it('keeps display-name look-alikes of a sender decided disposable that Gmail sorted as mail of a person or a group', async () => {
    const { queue } = scanned.started.service;
    const first = disposable(rng, OWNER);
    google.google.deliver(OWNER, first);
    let before = (await incrementalRuns()).length;
    await push(account().historyId);
    await settledRuns(before + 1);
    await queue.idle();
    expect(inTrash(google, OWNER, [first.id])).toBe(true);

    // A group relays a person's mail under the disposable sender's address as display name:
    // `from:` finds it with the sender's own mail, but its From is the group's. Attribution
    // searches within the sender's category only (Promotions here), so these are not its.
    google.google.stats.reset();
    const genuine = { ...disposable(rng, OWNER), from: first.from };
    const lookAlike = (labelIds: string[]): SimMessage => ({
      ...personal(rng, OWNER),
      from: {
        name: `'${first.from.address}' via Friends`,
        address: 'friends@groups.example',
        bulk: false,
      },
      labelIds,
    });
    const inPrimary = lookAlike(['INBOX', 'UNREAD']);
    const inForums = lookAlike(['CATEGORY_FORUMS', 'INBOX', 'UNREAD']);
    for (const message of [genuine, inPrimary, inForums]) google.google.deliver(OWNER, message);
    before = (await incrementalRuns()).length;
    await push(account().historyId);
    const [run] = await settledRuns(before + 1);
    await queue.idle();
    expect(run?.counters).toMatchObject({ processed: 3, trashed: 1, kept: 2 });
    expect(inTrash(google, OWNER, [genuine.id])).toBe(true);
    for (const m of [inPrimary, inForums]) {
      expect(account().message(m.id)?.labelIds).not.toContain('TRASH');
    }
    // None was read: the genuine one was attributed, the rules keep Primary and Forums mail by
    // its category alone.
    expect(calls('users.messages.get')).toBe(0);
  });

  it('protects new mail of a conversation starred or labelled since the full scan', async () => {
    // Two conversations the full scan kept; the person marks them in Gmail, which marks the
    // one message each holds.
    const [starredRoot, labelledRoot] = [...account().messagesAfter(undefined)].filter(
      (m, _i, all) =>
        all.every((o) => o.threadId !== m.threadId || markOfLabels(o.labelIds) === undefined) &&
        !m.snoozed &&
        !m.labelIds.some((l) => l === 'TRASH' || l === 'SPAM'),
    ) as [SimMessage, SimMessage];
    const none = await store().markedThreads(scanned.user.id, [
      starredRoot.threadId,
      labelledRoot.threadId,
    ]);
    expect(none.size).toBe(0);
    const label = [...account().labels.values()].find((l) => l.type === 'user')!;
    account().modify(starredRoot, ['STARRED'], []);
    account().modify(labelledRoot, [label.id], []);
    const marked = account().historyId;
    await push(marked);
    await waitFor(async () => {
      const cursor = (await user()).cursor!.historyId;
      return BigInt(cursor) >= BigInt(marked) ? cursor : undefined;
    }, 'a sync past the marks');

    // New notifications arrive in both conversations: unmarked, disposable on their own.
    const replies = [
      { ...disposable(rng, OWNER), threadId: starredRoot.threadId },
      { ...disposable(rng, OWNER), threadId: labelledRoot.threadId },
    ];
    for (const message of replies) google.google.deliver(OWNER, message);
    const before = (await incrementalRuns()).length;
    await push(account().historyId);
    const [run] = await settledRuns(before + 1);
    const decisions = (await store().listBatches(run!.id)).flatMap((b) => b.decisions);
    expect(decisions.map((d) => [d.id, d.decision, d.reason])).toEqual([
      [replies[0]!.id, 'protected', 'in a starred conversation'],
      [replies[1]!.id, 'protected', 'in a conversation with one of your labels'],
    ]);
    expect(inTrash(google, OWNER, [replies[0]!.id])).toBe(false);
    expect(inTrash(google, OWNER, [replies[1]!.id])).toBe(false);
  });

  it('catches up with a bounded search when Gmail expired the cursor, and says so in the log', async () => {
    const message = disposable(rng, OWNER);
    google.google.deliver(OWNER, message);
    // Gmail forgets history: the cursor, from before the message arrived, is now too old.
    account().expireHistory();
    const before = (await incrementalRuns()).length;

    await push(account().historyId);
    const [run] = await settledRuns(before + 1);
    expect(run?.status).toBe('DONE');
    expect(run?.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^Gmail no longer had the history since the last sync: caught up with the messages of the last 1 day\.$/,
      ),
    ]);
    expect(calls('users.messages.list')).toBeGreaterThan(0);
    expect(inTrash(google, OWNER, [message.id])).toBe(true);
    expect(BigInt((await user()).cursor!.historyId)).toBeGreaterThanOrEqual(
      BigInt(account().historyFloor),
    );
  });

  it('stops the ongoing cleanup of a user whose Google access was revoked', async () => {
    google.google.oauth.revokeAccount(OWNER);
    google.google.deliver(OWNER, disposable(rng, OWNER));
    await push(account().historyId);
    const stopped = await waitFor(async () => {
      const current = await user();
      return current.needsReconnect ? current : undefined;
    }, 'the user to need a reconnect');
    expect(stopped.watch).toBeNull();
    await scanned.started.service.queue.idle();
    expect((await push(account().historyId)).status).toBe(204);
    expect(pendingSyncs(scanned.started.service.queue)).toBe(0);
  });
});
