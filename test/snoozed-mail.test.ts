import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../src/domain/model.js';
import { markOfLabels } from '../src/domain/protection.js';
import { SNOOZED_REFUSED_NOTE } from '../src/jobs/snoozed-mail.js';
import { Random } from '../src/local/google/random.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { signIn, startLocalService } from './helpers/local-service.js';
import {
  disposable,
  envelope,
  inTrash,
  PUSH_TOKEN,
  type ScannedUser,
  scannedService,
  waitFor,
} from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const DAY = 86_400_000;
const TOPIC = 'projects/demo-clean-that-up/topics/gmail';

/** Old promotions with an unsubscribe link, alone in their conversation: the rules trash them. */
function disposableConversations(messages: readonly SimMessage[], count: number): string[] {
  const byThread = new Map<string, SimMessage[]>();
  for (const m of messages) byThread.set(m.threadId, [...(byThread.get(m.threadId) ?? []), m]);
  const old = Date.now() - 60 * DAY;
  return [...byThread.values()]
    .filter((thread) =>
      thread.every(
        (m) =>
          m.from.bulk &&
          m.internalDate < old &&
          !m.snoozed &&
          m.labelIds.includes('INBOX') &&
          m.labelIds.includes('CATEGORY_PROMOTIONS') &&
          m.labelIds.every((l) => !['IMPORTANT', 'STARRED', 'TRASH', 'SPAM'].includes(l)) &&
          m.labelIds.every((l) => !l.startsWith('Label_') && !l.endsWith('_STAR')),
      ),
    )
    .slice(0, count)
    .map((thread) => thread[0]!.threadId);
}

/**
 * Gmail may refuse `in:snoozed` (400 invalidArgument): a full scan then says so in its log and
 * keeps mail of conversations outside the Inbox, where snoozed ones are, rather than trash them.
 */
describe.each(['by-sender', 'by-message'])(
  'a full scan when Gmail refuses in:snoozed (%s)',
  (strategy) => {
    const owner = `snoozed-${strategy}@example.com`;
    let google: RunningGoogle;
    let run: Run;
    let snoozed: string[];

    beforeAll(async () => {
      google = await startSimulatedGoogle([{ email: owner, mailbox: { size: 600, seed: 31 } }], {
        userUnitsPerMinute: 10_000_000,
      });
      const account = google.google.account(owner);
      snoozed = disposableConversations([...account.messagesAfter(undefined)], 3);
      for (const threadId of snoozed) account.snooze(threadId);
      google.google.faults.inject({ kind: 'refuseQuery', operator: 'in:snoozed', email: owner });
      const started = await startLocalService(google, {
        env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', SCAN_STRATEGY: strategy },
      });
      try {
        await signIn(started.client);
        await started.client.post('/app/openai-key', { rulesOnly: '1' });
        const start = await started.client.post('/app/runs');
        const runId = start.headers.get('location')!.replace('/runs/', '');
        run = await waitFor(
          async () => {
            const r = await started.service.store.getRun(runId);
            return r && ['DONE', 'FAILED', 'CANCELLED'].includes(r.status) ? r : undefined;
          },
          'the full scan',
          120_000,
        );
      } finally {
        await started.close();
      }
    }, 180_000);
    afterAll(async () => {
      await google?.close();
    });

    it('trashes no snoozed conversation, says why in the log, and still trashes Inbox mail', () => {
      expect(snoozed).toHaveLength(3);
      expect(run.status).toBe('DONE');
      const all = [...google.google.account(owner).messagesAfter(undefined)];
      const snoozedTrashed = all.filter((m) => m.snoozed && m.labelIds.includes('TRASH'));
      expect(snoozedTrashed).toEqual([]);
      expect(run.errors.map((e) => e.message)).toContain(SNOOZED_REFUSED_NOTE);
      expect(run.errors.filter((e) => e.message === SNOOZED_REFUSED_NOTE)).toHaveLength(1);
      expect(run.counters.trashed).toBeGreaterThan(10);
    });
  },
);

/**
 * Snoozing leaves no label in history, so a conversation snoozed after the full scan is only
 * known from `in:snoozed`, listed once per flush of a sync's trash.
 */
describe('a sync after a conversation was snoozed', () => {
  const owner = 'snoozed-sync@example.com';
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const rng = new Random(77);

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: owner, mailbox: { size: 300, seed: 5 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    google.google.notifier.setTopic(TOPIC, { kind: 'function', deliver: () => {} });
    scanned = await scannedService(google, owner, { PUBSUB_TOPIC: TOPIC });
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });

  it('keeps new mail of the snoozed conversation and trashes the rest', async () => {
    const account = google.google.account(owner);
    const { store, queue } = scanned.started.service;
    await queue.idle();
    // A conversation the scan kept, then snoozed by its owner.
    const all = [...account.messagesAfter(undefined)];
    const unmarked = (threadId: string) =>
      all
        .filter((m) => m.threadId === threadId)
        .every((m) => !m.snoozed && markOfLabels(m.labelIds) === undefined);
    const kept = all.find(
      (m) =>
        m.labelIds.includes('INBOX') &&
        m.labelIds.includes('CATEGORY_PERSONAL') &&
        !m.labelIds.includes('TRASH') &&
        unmarked(m.threadId),
    )!;
    account.snooze(kept.threadId);
    const inSnoozed: SimMessage = { ...disposable(rng, owner), threadId: kept.threadId };
    const control = disposable(rng, owner);
    for (const m of [inSnoozed, control]) google.google.deliver(owner, m);
    const before = (await store.listRuns(scanned.user.id, 100)).length;
    const push = await fetch(`${scanned.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope(owner, account.historyId)),
    });
    expect(push.status).toBe(204);
    const sync = await waitFor(async () => {
      const runs = await store.listRuns(scanned.user.id, 100);
      return runs.length > before && runs[0]?.status === 'DONE' ? runs[0] : undefined;
    }, 'the sync');
    await queue.idle();
    expect(inTrash(google, owner, [control.id])).toBe(true);
    expect(account.message(inSnoozed.id)?.labelIds).not.toContain('TRASH');
    const decisions = (await store.listBatches(sync.id)).flatMap((b) => b.decisions);
    expect(decisions.find((d) => d.id === inSnoozed.id)?.reason).toBe('in a snoozed conversation');
  }, 60_000);
});
