import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/model.js';
import { makeIncomingMessage } from '../../src/local/google/mailbox-generator.js';
import { Random } from '../../src/local/google/random.js';
import type { SimMessage } from '../../src/local/google/sim-types.js';
import { signIn } from '../helpers/local-service.js';
import { envelope, PUSH_TOKEN, waitFor } from '../helpers/ongoing-cleanup.js';
import { armGmailFaults, rateLimitStorm } from './fault-plans.js';
import { recordFigures } from './figures.js';
import { type Harness, neverBackward, startHarness, startScan, waitForRun } from './harness.js';
import {
  auditRun,
  inTrash,
  type MailboxSnapshot,
  protectedIds,
  snapshot,
} from './mailbox-truth.js';

const OWNER = 'sync-faults@example.com';
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';
/** Rounds of new mail; `npm run soak` sets RELIABILITY_SYNC_ROUNDS higher. */
const ROUNDS = Number(process.env.RELIABILITY_SYNC_ROUNDS ?? 8);
const SKIPPED = ['SENT', 'DRAFT', 'CHAT', 'SPAM', 'TRASH'];

/**
 * Ongoing cleanup while Gmail misbehaves and Pub/Sub delivers every notification one to three
 * times, late and out of order: rounds of new mail (disposable, personal, starred, labelled,
 * replied threads, the user's own mail), Gmail faults throughout, a 429 storm, history expired
 * twice, and the grant revoked then given again. In the end every new message was decided by a
 * sync, Trash holds exactly what the syncs decided, nothing protected, and the cursor only grew.
 */
describe('syncs under faults, with duplicate and out-of-order notifications', () => {
  let h: Harness;
  let afterScan: MailboxSnapshot;
  const rng = new Random(7_001);
  const delivered: SimMessage[] = [];
  const pushes = { sent: 0, answers: new Map<number, number>() };
  const inFlight = new Set<Promise<void>>();
  let forwarding = true;
  let userLabel = '';

  const push = async (historyId: number) => {
    const response = await fetch(`${h.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope(OWNER, historyId, String(pushes.sent))),
    });
    pushes.sent++;
    pushes.answers.set(response.status, (pushes.answers.get(response.status) ?? 0) + 1);
  };

  beforeAll(async () => {
    h = await startHarness({
      owner: OWNER,
      size: 600,
      seed: 7,
      strategy: 'by-sender',
      llm: false,
      env: { PUSH_VERIFICATION_TOKEN: PUSH_TOKEN, PUBSUB_TOPIC: TOPIC },
      // A notification for every change: more duplicates and reorderings to survive.
      google: { notificationIntervalMs: 0 },
    });
    // Pub/Sub: at least once, late, out of order; every notification one to three times.
    h.google.google.notifier.setTopic(TOPIC, {
      kind: 'function',
      deliver: (n) => {
        for (let copies = rng.int(1, 3); forwarding && copies > 0; copies--) {
          const late = new Promise<void>((resolve) => setTimeout(resolve, rng.int(0, 400)));
          const delivery = late.then(() => push(n.historyId));
          inFlight.add(delivery);
          void delivery.finally(() => inFlight.delete(delivery));
        }
      },
    });
    const { store } = h.started.service;
    const user = (await store.getUser(h.userId))!;
    // The rules trash bulk mail at any age, so new disposable mail goes at once.
    await store.updateUser(h.userId, { policy: { ...user.policy, minAgeDays: 0 } });
    const scan = await waitForRun(store, await startScan(h));
    expect(scan.status).toBe('DONE');
    await waitFor(async () => (await store.getUser(h.userId))?.watch ?? undefined, 'the watch');
    afterScan = snapshot(h.google.google.account(OWNER));
    userLabel = [...h.google.google.account(OWNER).labels.values()].find(
      (l) => l.type === 'user',
    )!.id;
  }, 60_000);
  afterAll(() => h?.close());

  function fresh(kind: 'bulk' | 'personal', labels: string[], threadId?: string): SimMessage {
    for (;;) {
      const made = makeIncomingMessage(rng, OWNER, Date.now() - 60_000, kind);
      if (h.google.google.account(OWNER).message(made.id)) continue;
      const bulk = kind === 'bulk' ? { from: { ...made.from, bulk: true } } : {};
      return { ...made, ...bulk, labelIds: labels, threadId: threadId ?? made.threadId };
    }
  }

  function deliverRound(): void {
    const junk = ['CATEGORY_PROMOTIONS', 'INBOX', 'UNREAD'];
    const first = fresh('bulk', junk);
    const batch = [
      fresh('bulk', junk),
      fresh('bulk', junk),
      fresh('personal', ['CATEGORY_PERSONAL', 'INBOX', 'UNREAD']),
      fresh('bulk', [...junk, 'STARRED']),
      fresh('bulk', [...junk, userLabel]),
      first,
      // The user replies in the thread of `first`, and more of that thread follows.
      fresh('personal', ['SENT'], first.threadId),
      fresh('bulk', junk, first.threadId),
      fresh('personal', ['DRAFT']),
    ];
    for (const message of batch) {
      h.google.google.deliver(OWNER, message);
      delivered.push(message);
    }
  }

  async function incrementalRuns(): Promise<Run[]> {
    return (await h.started.service.store.listRuns(h.userId, 500)).filter(
      (r) => r.kind === 'incremental',
    );
  }

  /** Every delivered message someone must decide has been decided by a finished sync. */
  async function settled(): Promise<boolean> {
    const runs = await incrementalRuns();
    if (runs.some((r) => !['DONE', 'CANCELLED', 'FAILED'].includes(r.status))) return false;
    const decided = new Set<string>();
    for (const run of runs) {
      for (const batch of await h.started.service.store.listBatches(run.id)) {
        for (const d of batch.decisions) decided.add(d.id);
      }
    }
    const account = h.google.google.account(OWNER);
    return (
      delivered
        .filter((m) => !m.labelIds.some((l) => SKIPPED.includes(l)))
        // A vanish fault may have deleted one for good before any sync read it: gone is not
        // lost, and no sync could decide it any more.
        .every((m) => decided.has(m.id) || account.message(m.id) === undefined)
    );
  }

  it('decides every new message once, trashes only what was decided, and protects the rest', async () => {
    const account = h.google.google.account(OWNER);
    const kinds = armGmailFaults(h.google.google, OWNER);
    let expired = 0;
    for (let round = 0; round < ROUNDS; round++) {
      deliverRound();
      if (round === 2) rateLimitStorm(h.google.google, OWNER, 6);
      if (round === 3 || round === 6) {
        account.expireHistory();
        expired++;
      }
      await new Promise((resolve) => setTimeout(resolve, rng.int(50, 500)));
    }
    // The grant is revoked: the next sync stops the cleanup and asks for a new sign-in.
    h.google.google.oauth.revokeAccount(OWNER);
    deliverRound();
    await push(account.historyId);
    await waitFor(
      async () => (await h.started.service.store.getUser(h.userId))?.needsReconnect || undefined,
      'the user to need a new sign-in',
    );
    // Signed in again (once Google answers again: sign-in itself is not retried by the
    // service, a person would click again): the next notification catches up.
    h.google.google.faults.clear();
    await signIn(h.started.client);
    expect((await h.started.service.store.getUser(h.userId))?.needsReconnect).toBe(false);
    deliverRound();
    await waitFor(async () => {
      await push(account.historyId);
      return (await settled()) || undefined;
    }, 'every new message to be decided');
    forwarding = false;
    await Promise.all(inFlight);
    await waitFor(async () => (await settled()) || undefined, 'the last syncs');
    await h.started.service.queue.idle();

    const runs = await incrementalRuns();
    const decisions = new Map<string, string[]>();
    let catchUps = 0;
    for (const run of runs) {
      const batches = await h.started.service.store.listBatches(run.id);
      expect(auditRun(run, batches), run.id).toMatchObject({
        duplicates: [],
        badBatches: [],
        unfinishedBatches: [],
        counterErrors: [],
      });
      const catchUp = run.errors.some((e) => /caught up/.test(e.message));
      if (catchUp) catchUps++;
      for (const d of batches.flatMap((b) => b.decisions)) {
        // A catch-up searches the last days again; only syncs from history must not overlap.
        const tag = catchUp ? `catch-up:${d.decision}` : d.decision;
        decisions.set(d.id, [...(decisions.get(d.id) ?? []), tag]);
      }
    }
    const twice = [...decisions].filter(
      ([, tags]) => tags.filter((t) => !t.startsWith('catch-up')).length > 1,
    );
    expect(twice).toEqual([]);

    const now = snapshot(account);
    const newlyTrashed = [...inTrash(now)].filter((id) => !inTrash(afterScan).has(id));
    const trashDecided = new Set(
      [...decisions].filter(([, tags]) => tags.some((t) => t.endsWith('trash'))).map(([id]) => id),
    );
    expect(newlyTrashed.filter((id) => !trashDecided.has(id))).toEqual([]);
    expect([...trashDecided].filter((id) => now.has(id) && !inTrash(now).has(id))).toEqual([]);
    const guarded = protectedIds(now);
    expect(newlyTrashed.filter((id) => guarded.has(id))).toEqual([]);
    // A conversation the user marked stays protected even if a vanish fault later deleted
    // the marking message (their reply, say): the service saw the mark when it decided.
    const marking = ['SENT', 'DRAFT', 'STARRED', userLabel];
    const markedThreads = new Set(
      delivered.filter((m) => m.labelIds.some((l) => marking.includes(l))).map((m) => m.threadId),
    );
    const deliveredJunk = delivered.filter(
      (m) =>
        m.labelIds.join() === 'CATEGORY_PROMOTIONS,INBOX,UNREAD' &&
        !guarded.has(m.id) &&
        !markedThreads.has(m.threadId),
    );
    expect(
      deliveredJunk
        // A vanish fault may have deleted one for good: gone is not lost.
        .filter((m) => now.has(m.id) && !inTrash(now).has(m.id))
        .map((m) => [m.id, decisions.get(m.id), now.get(m.id)?.labelIds]),
    ).toEqual([]);
    expect(neverBackward(h.cursors)).toBe(true);
    expect([...pushes.answers.keys()].every((status) => status === 204)).toBe(true);

    const stats = h.google.google.stats.snapshot(OWNER);
    recordFigures('syncs under faults', {
      rounds: ROUNDS + 2,
      delivered: delivered.length,
      pushes: pushes.sent,
      syncs: runs.length,
      cancelled: runs.filter((r) => r.status === 'CANCELLED').length,
      catchUps,
      historyExpired: expired,
      revoked: 1,
      gmailFaults: stats.faulted + stats.rateLimited,
      gmailKinds: [...kinds, '429 storm', 'history expired', 'grant revoked'],
      trashed: newlyTrashed.length,
      lost: 0,
      protectedTrashed: 0,
      cursorMoves: h.cursors.length,
    });
  }, 60_000);
});
