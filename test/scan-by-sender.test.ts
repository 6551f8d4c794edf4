import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDecision, Run } from '../src/domain/model.js';
import { markOfLabels } from '../src/domain/protection.js';
import type { MailboxShape } from '../src/local/google/mailbox-generator.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { markedConversations } from './helpers/marked-conversations.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'compare@example.com';
const SIZE = 10_000;
const SEED = 4242;
/** Both mailboxes are generated at the same instant, so they are the same mailbox. */
const GENERATED_AT = Date.now();

interface Scanned {
  readonly run: Run;
  readonly decisions: Map<string, MessageDecision>;
  readonly units: number;
  readonly gets: number;
}

async function scan(strategy: 'by-message' | 'by-sender', shape: MailboxShape) {
  const google = await startSimulatedGoogle(
    [{ email: OWNER, mailbox: { size: SIZE, seed: SEED, shape } }],
    {
      userUnitsPerMinute: 100_000_000,
    },
  );
  const started = await startLocalService(google, {
    env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', SCAN_STRATEGY: strategy },
  });
  return { google, started };
}

async function runScan(google: RunningGoogle, started: StartedService): Promise<Scanned> {
  await signIn(started.client);
  await started.client.post('/app/openai-key', { rulesOnly: '1' });
  google.google.stats.reset();
  const start = await started.client.post('/app/runs');
  const runId = start.headers.get('location')!.replace('/runs/', '');
  let run = await started.service.store.getRun(runId);
  while (run && !['DONE', 'FAILED', 'CANCELLED'].includes(run.status)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    run = await started.service.store.getRun(runId);
  }
  const batches = await started.service.store.listBatches(runId);
  const decisions = new Map(batches.flatMap((b) => b.decisions).map((d) => [d.id, d]));
  const stats = google.google.stats.snapshot(OWNER);
  return {
    run: run!,
    decisions,
    units: stats.totalUnits,
    gets: stats.methods['users.messages.get']?.calls ?? 0,
  };
}

/** Units per message the scan by sender may spend with the rules, per mailbox shape. */
const MAX_UNITS: Record<MailboxShape, number> = { 'head-heavy': 4, 'long-tail': 3 };

describe.each(['head-heavy', 'long-tail'] as const)(
  'the scan by sender on a %s mailbox',
  (shape) => {
    const sides: { google: RunningGoogle; started: StartedService }[] = [];
    let byMessage: Scanned;
    let bySender: Scanned;

    beforeAll(async () => {
      // The generator dates mail back from "now": pin it so both mailboxes are identical.
      const realNow = Date.now;
      Date.now = () => GENERATED_AT;
      try {
        sides.push(await scan('by-message', shape), await scan('by-sender', shape));
      } finally {
        Date.now = realNow;
      }
      byMessage = await runScan(sides[0]!.google, sides[0]!.started);
      bySender = await runScan(sides[1]!.google, sides[1]!.started);
    }, 180_000);
    afterAll(async () => {
      for (const side of sides) {
        await side.started.close();
        await side.google.close();
      }
    });

    it('decides every message exactly as reading every message does', () => {
      expect(byMessage.run.status).toBe('DONE');
      expect(bySender.run.status).toBe('DONE');
      expect(bySender.decisions.size).toBe(byMessage.decisions.size);
      expect(bySender.run.counters.processed).toBe(byMessage.run.counters.processed);
      const differing = [...byMessage.decisions.values()].filter(
        (d) => bySender.decisions.get(d.id)?.decision !== d.decision,
      );
      expect(
        differing.map((d) => [d.id, d.decision, bySender.decisions.get(d.id)?.decision]),
      ).toEqual([]);
      expect(bySender.run.counters.trashed).toBe(byMessage.run.counters.trashed);
    });

    it('leaves the two mailboxes with the same messages in Trash', () => {
      const trashed = (side: { google: RunningGoogle }) =>
        [...side.google.google.account(OWNER).messagesAfter(undefined)]
          .filter((m) => m.labelIds.includes('TRASH'))
          .map((m) => m.id)
          .sort();
      expect(trashed(sides[1]!)).toEqual(trashed(sides[0]!));
    });

    it('trashes nothing of a marked conversation', () => {
      const messages = [...sides[1]!.google.google.account(OWNER).messagesAfter(undefined)];
      const marked = markedConversations(messages);
      expect(marked.size).toBeGreaterThan(0);
      for (const side of [byMessage, bySender]) {
        const trashed = messages.filter(
          (m) => marked.has(m.threadId) && side.decisions.get(m.id)?.decision === 'trash',
        );
        expect(trashed).toEqual([]);
      }
    });

    it.runIf(shape === 'head-heavy')(
      'does so on a mailbox of marked conversations, markers, snoozed mail and look-alikes, trashing none of it',
      () => {
        const messages = [
          ...sides[1]!.google.google.account(OWNER).messagesAfter(undefined),
        ].filter((m) => !m.labelIds.includes('SPAM'));
        const marked = markedConversations(messages);
        const unmarkedMembers = messages.filter(
          (m) => marked.has(m.threadId) && markOfLabels(m.labelIds) === undefined,
        );
        expect(unmarkedMembers.length).toBeGreaterThan(100);
        expect(messages.some((m) => m.snoozed)).toBe(true);
        expect(messages.some((m) => m.labelIds.includes('RED_BANG'))).toBe(true);
        expect(messages.some((m) => / via /.test(m.from.name))).toBe(true);
        for (const side of [byMessage, bySender]) {
          const trashedMarked = messages.filter(
            (m) => marked.has(m.threadId) && side.decisions.get(m.id)?.decision === 'trash',
          );
          expect(trashedMarked).toEqual([]);
        }
        for (const m of messages.filter((m) => marked.has(m.threadId))) {
          expect(m.labelIds).not.toContain('TRASH');
        }
      },
    );

    it(`spends at most ${MAX_UNITS[shape]} Gmail units per message, a fraction of reading every message`, () => {
      const processed = byMessage.run.counters.processed;
      const perMessage = (s: Scanned) => s.units / processed;
      // Figures for the record, not assertions: see the README's Performance section.
      console.log(
        `${SIZE} ${shape} messages: by-message ${perMessage(byMessage).toFixed(2)} units/message (${byMessage.gets} gets), ` +
          `by-sender ${perMessage(bySender).toFixed(2)} units/message (${bySender.gets} gets); ` +
          `at 6,000 units/min: ${(byMessage.units / 6000).toFixed(1)} min vs ${(bySender.units / 6000).toFixed(1)} min`,
      );
      expect(perMessage(bySender)).toBeLessThanOrEqual(MAX_UNITS[shape]);
      expect(perMessage(byMessage)).toBeGreaterThan(20);
    });
  },
);
