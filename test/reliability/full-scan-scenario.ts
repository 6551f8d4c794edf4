import { afterEach, describe, expect, it } from 'vitest';
import {
  armGmailFaults,
  type GmailFaultMix,
  planOpenAiFaults,
  rateLimitStorm,
  STEADY_FAULTS,
  tally,
} from './fault-plans.js';
import { recordFigures } from './figures.js';
import {
  type Harness,
  neverBackward,
  type Strategy,
  startHarness,
  startScan,
  waitForRun,
} from './harness.js';
import { auditMailbox, auditRun, snapshot } from './mailbox-truth.js';

/**
 * Full scans while Gmail and OpenAI misbehave: 5xx, 429 and 403 rate limits, a 429 storm,
 * "too many concurrent requests", dropped connections, latency, messages deleted between list
 * and read, history expired mid-run, spoiled and hanging LLM answers. Every run must end DONE
 * with every message decided exactly once, nothing protected in Trash, Trash exactly what the
 * decisions say, the counters equal to the decisions, and no LLM request asked twice.
 */
export interface FaultConfig {
  readonly strategy: Strategy;
  readonly llm: boolean;
  readonly size: number;
  readonly seed: number;
  /** Gmail calls refused in a row by the mid-run 429 storm (default 8). */
  readonly storm?: number;
  readonly gmail?: GmailFaultMix;
  /** Share of OpenAI requests answered with a fault (default 0.6). */
  readonly openAiRate?: number;
}

export function describeFullScanFaults(configs: readonly FaultConfig[]): void {
  describe.each(configs)(
    'a full scan $strategy (LLM: $llm, seed $seed) under faults',
    ({ strategy, llm, size, seed, storm = 8, gmail = STEADY_FAULTS, openAiRate = 0.6 }) => {
      let h: Harness | undefined;
      afterEach(async () => {
        await h?.close();
        h = undefined;
      });

      it('finishes with every message decided once and nothing protected in Trash', async () => {
        const owner = `faults-${strategy}-${llm ? 'llm' : 'rules'}-${seed}@example.com`;
        h = await startHarness({ owner, size, seed, strategy, llm });
        const { google, started } = h;
        const account = google.google.account(owner);
        const before = snapshot(account);
        const kinds = armGmailFaults(google.google, owner, gmail);
        if (h.fake) planOpenAiFaults(h.fake, seed, openAiRate);

        const runId = await startScan(h);
        // Mid-run: a storm of 429s, then Gmail forgets the history the run started from.
        await waitForRun(started.service.store, runId, (r) => r.status !== 'QUEUED');
        rateLimitStorm(google.google, owner, storm);
        await waitForRun(
          started.service.store,
          runId,
          (r) => r.batchesDone > 0 || r.status === 'DONE',
        );
        account.expireHistory();
        const run = await waitForRun(started.service.store, runId);
        await started.service.queue.idle();

        expect(run.status).toBe('DONE');
        const batches = await started.service.store.listBatches(runId);
        const books = auditRun(run, batches);
        expect(books).toMatchObject({
          duplicates: [],
          badBatches: [],
          unfinishedBatches: [],
          counterErrors: [],
          llmErrors: [],
        });
        const mailbox = auditMailbox(before, snapshot(account), batches, { complete: true });
        expect(mailbox).toMatchObject({
          lost: [],
          strangers: [],
          protectedTrashed: [],
          trashedUndecided: [],
          decidedNotTrashed: [],
        });
        expect(books.trashed).toBeGreaterThan(0);
        // No batch was classified twice: every request OpenAI saw is in the run's books.
        if (h.fake) expect(h.fake.stats.calls).toBe(run.llm.calls);
        expect(neverBackward(h.cursors)).toBe(true);
        expect(h.cursors.at(-1)).toBe(run.startHistoryId);

        const stats = google.google.stats.snapshot(owner);
        recordFigures(`full scan ${strategy} ${llm ? 'llm' : 'rules'}`, {
          messages: before.size,
          decided: books.decided,
          trashed: books.trashed,
          gmailFaults: stats.faulted + stats.rateLimited,
          gmailKinds: [...kinds, '429 storm', 'history expired'],
          vanished: mailbox.vanished,
          historyExpired: 1,
          llmCalls: run.llm.calls,
          openAiFaults: tally(h.fake?.injected ?? []),
          lost: mailbox.lost.length,
          protectedTrashed: mailbox.protectedTrashed.length,
        });
      }, 60_000);
    },
  );
}

export function describeRevokedMidRun(
  configs: readonly { strategy: Strategy; llm: boolean; seed: number }[],
): void {
  describe.each(configs)(
    'a full scan $strategy (LLM: $llm) whose Google grant is revoked mid-run',
    ({ strategy, llm, seed }) => {
      let h: Harness | undefined;
      afterEach(async () => {
        await h?.close();
        h = undefined;
      });

      it('waits for a new sign-in with a reason the user can act on, and its finished batches are exact', async () => {
        const owner = `revoked-${strategy}-${seed}@example.com`;
        h = await startHarness({ owner, size: 2_500, seed, strategy, llm });
        const { google, started } = h;
        const account = google.google.account(owner);
        const before = snapshot(account);
        armGmailFaults(google.google, owner);
        const runId = await startScan(h);
        await waitForRun(
          started.service.store,
          runId,
          (r) => r.batchesDone > 0 || r.status === 'DONE',
        );
        google.google.oauth.revokeAccount(owner);
        // The run pauses (its messages wait for the owner, see google-access-lost.ts), unless
        // it finished before the revocation reached it.
        await waitForRun(
          started.service.store,
          runId,
          (r) => r.status === 'DONE' || r.errors.some((e) => /sign in again/.test(e.message)),
        );
        await started.service.queue.idle();
        const run = (await started.service.store.getRun(runId))!;

        expect(['PROCESSING', 'DELETING', 'DONE']).toContain(run.status);
        if (run.status !== 'DONE') {
          expect(run.errors.map((e) => e.message).join(' ')).toMatch(/sign in again/);
        }
        expect((await started.service.store.getUser(h.userId))?.needsReconnect).toBe(true);
        const batches = await started.service.store.listBatches(runId);
        expect(auditRun(run, batches)).toMatchObject({
          duplicates: [],
          badBatches: [],
          counterErrors: [],
          llmErrors: [],
        });
        const mailbox = auditMailbox(before, snapshot(account), batches, { complete: false });
        expect(mailbox).toMatchObject({
          strangers: [],
          protectedTrashed: [],
          trashedUndecided: [],
          decidedNotTrashed: [],
        });
        if (h.fake) expect(h.fake.stats.calls).toBe(run.llm.calls);
        recordFigures(`revoked mid-run ${strategy}`, {
          batchesDone: run.batchesDone,
          processed: run.counters.processed,
          status: run.status,
          revoked: 1,
          protectedTrashed: mailbox.protectedTrashed.length,
        });
      }, 60_000);
    },
  );
}
