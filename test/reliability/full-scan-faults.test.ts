import { afterEach, describe, expect, it } from 'vitest';
import { armGmailFaults, planOpenAiFaults, rateLimitStorm, tally } from './fault-plans.js';
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
describe.each([
  { strategy: 'by-sender' as Strategy, llm: false, size: 4_000, seed: 101 },
  { strategy: 'by-sender' as Strategy, llm: true, size: 1_200, seed: 102 },
  { strategy: 'by-message' as Strategy, llm: false, size: 1_500, seed: 103 },
  { strategy: 'by-message' as Strategy, llm: true, size: 1_200, seed: 104 },
])('a full scan $strategy (LLM: $llm) under faults', ({ strategy, llm, size, seed }) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('finishes with every message decided once and nothing protected in Trash', async () => {
    const owner = `faults-${strategy}-${llm ? 'llm' : 'rules'}@example.com`;
    h = await startHarness({ owner, size, seed, strategy, llm });
    const { google, started } = h;
    const account = google.google.account(owner);
    const before = snapshot(account);
    const kinds = armGmailFaults(google.google, owner);
    if (h.fake) planOpenAiFaults(h.fake, seed, 0.3);

    const runId = await startScan(h);
    // Mid-run: a storm of 429s, then Gmail forgets the history the run started from.
    await waitForRun(started.service.store, runId, (r) => r.status !== 'QUEUED');
    rateLimitStorm(google.google, owner, 40);
    await waitForRun(started.service.store, runId, (r) => r.batchesDone > 0 || r.status === 'DONE');
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
      openAiFaults: tally(h.fake?.injected ?? []),
      lost: mailbox.lost.length,
      protectedTrashed: mailbox.protectedTrashed.length,
    });
  }, 60_000);
});
