import { afterEach, describe, expect, it } from 'vitest';
import { makeIncomingMessage } from '../../src/local/google/mailbox-generator.js';
import { Random } from '../../src/local/google/random.js';
import type { SimMessage } from '../../src/local/google/sim-types.js';
import { envelope, PUSH_TOKEN } from '../helpers/ongoing-cleanup.js';
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
 * Cloud Tasks delivers at least once: a task may come twice, at once or much later, and the
 * tasks of one run in any order. Here the tests deliver them themselves, with the queue's
 * credentials, and check that nothing is decided, counted, trashed or asked of the LLM twice.
 */

const task = (h: Harness, path: string, payload: unknown) =>
  h.started.service.callTask(path, JSON.stringify(payload));

function arriving(h: Harness, rng: Random): SimMessage {
  for (;;) {
    // Dated anywhere in the last two years (imported mail), so it lands in every partition.
    const made = makeIncomingMessage(
      rng,
      h.owner,
      Date.now() - rng.int(1, 700) * 86_400_000,
      'bulk',
    );
    if (!h.google.google.account(h.owner).message(made.id)) return made;
  }
}

describe.each([
  { strategy: 'by-sender' as Strategy, seed: 301 },
  { strategy: 'by-message' as Strategy, seed: 302 },
])('the tasks of a $strategy scan delivered twice and out of order', ({ strategy, seed }) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('plans each message once though two plan tasks run at once while mail arrives', async () => {
    h = await startHarness({
      owner: `twice-plan-${strategy}@example.com`,
      size: 1_800,
      seed,
      strategy,
      llm: false,
      startQueue: false,
    });
    const harness = h;
    const account = h.google.google.account(h.owner);
    const before = snapshot(account);
    // Slow listings, so the two planners interleave page by page.
    h.google.google.faults.inject({ kind: 'latency', ms: 12, methods: ['users.messages.list'] });
    const runId = await startScan(h);
    const rng = new Random(seed);
    const arrived: string[] = [];
    let planning = true;
    const mail = (async () => {
      while (planning) {
        const message = arriving(harness, rng);
        harness.google.google.deliver(harness.owner, message);
        arrived.push(message.id);
        await new Promise((resolve) => setTimeout(resolve, 7));
      }
    })();
    const first = task(h, '/tasks/plan', { runId });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = task(h, '/tasks/plan', { runId });
    const answers = await Promise.all([first, second]);
    planning = false;
    await mail;
    expect(answers.map((a) => a.status)).toEqual([204, 204]);

    h.started.service.queue.start();
    const run = await waitForRun(h.started.service.store, runId);
    await h.started.service.queue.idle();
    expect(run.status).toBe('DONE');
    const batches = await h.started.service.store.listBatches(runId);
    expect(auditRun(run, batches)).toMatchObject({
      duplicates: [],
      badBatches: [],
      unfinishedBatches: [],
      counterErrors: [],
    });
    const audit = auditMailbox(before, snapshot(account), batches, { complete: true });
    expect(audit.lost).toEqual([]);
    expect(audit.protectedTrashed).toEqual([]);
    // Mail that arrived during the scan may be in it (or is the first sync's), nothing else.
    expect(audit.strangers.filter((id) => !arrived.includes(id))).toEqual([]);
    recordFigures(`two plan tasks at once ${strategy}`, {
      batches: batches.length,
      arrivedDuringPlan: arrived.length,
      duplicates: 0,
      lost: 0,
    });
  }, 60_000);

  it('counts, trashes and asks the LLM once when batch tasks come twice, at once and in reverse', async () => {
    h = await startHarness({
      owner: `twice-batch-${strategy}@example.com`,
      size: 1_600,
      seed: seed + 10,
      strategy,
      llm: true,
      startQueue: false,
    });
    const { store } = h.started.service;
    const account = h.google.google.account(h.owner);
    const before = snapshot(account);
    const runId = await startScan(h);
    expect((await task(h, '/tasks/plan', { runId })).status).toBe(204);
    const planned = (await store.getRun(runId))!;
    const count = planned.batchCount!;
    expect(count).toBeGreaterThan(2);

    // Last to first; each batch three times at once, then once more when it is long done.
    let deliveries = 0;
    for (let batchNo = count - 1; batchNo >= 0; batchNo--) {
      const copies = await Promise.all(
        [0, 1, 2].map(() => task(h!, '/tasks/batch', { runId, batchNo })),
      );
      deliveries += copies.length;
      expect(copies.map((r) => r.status)).toEqual([204, 204, 204]);
    }
    const done = (await store.getRun(runId))!;
    expect(done.status).toBe('DONE');
    // Copies that ran at once may each have asked before either saved: cost, never a decision.
    const concurrentExtra = h.fake!.stats.calls - done.llm.calls;
    const calls = { llm: h.fake!.stats.calls, gmail: h.google.google.stats.snapshot(h.owner) };
    for (let batchNo = 0; batchNo < count; batchNo++) {
      expect((await task(h, '/tasks/batch', { runId, batchNo })).status).toBe(204);
      deliveries++;
    }
    expect((await task(h, '/tasks/plan', { runId })).status).toBe(204);
    // The queue still holds every task the run queued itself: they find nothing left to do.
    h.started.service.queue.start();
    await h.started.service.queue.idle();

    const after = (await store.getRun(runId))!;
    expect(after.counters).toEqual(done.counters);
    expect(after.llm).toEqual(done.llm);
    expect(h.fake!.stats.calls).toBe(calls.llm);
    const gmail = h.google.google.stats.snapshot(h.owner);
    expect(gmail.methods['users.messages.get']?.calls).toBe(
      calls.gmail.methods['users.messages.get']?.calls,
    );
    expect(gmail.methods['users.messages.batchModify']?.calls).toBe(
      calls.gmail.methods['users.messages.batchModify']?.calls,
    );
    const batches = await store.listBatches(runId);
    expect(auditRun(after, batches)).toMatchObject({
      duplicates: [],
      badBatches: [],
      unfinishedBatches: [],
      counterErrors: [],
      llmErrors: [],
    });
    expect(auditMailbox(before, snapshot(account), batches, { complete: true })).toMatchObject({
      lost: [],
      strangers: [],
      protectedTrashed: [],
      trashedUndecided: [],
      decidedNotTrashed: [],
    });
    recordFigures(`batch tasks twice and reversed ${strategy}`, {
      batches: count,
      deliveries,
      llmCalls: after.llm.calls,
      llmCallsOfConcurrentCopies: concurrentExtra,
      llmCallsRepeatedAfterDone: h.fake!.stats.calls - calls.llm,
    });
  }, 60_000);
});

describe('two syncs of one user at once', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('leaves nothing behind when the sync that read more loses the race', async () => {
    h = await startHarness({
      owner: 'racing-syncs@example.com',
      size: 300,
      seed: 303,
      strategy: 'by-sender',
      llm: false,
      env: { PUSH_VERIFICATION_TOKEN: PUSH_TOKEN },
    });
    const { store } = h.started.service;
    const user = (await store.getUser(h.userId))!;
    await store.updateUser(h.userId, { policy: { ...user.policy, minAgeDays: 0 } });
    expect((await waitForRun(store, await startScan(h))).status).toBe('DONE');
    const cursor = await waitFor(async () => (await store.getUser(h!.userId))?.cursor ?? undefined);
    // The first sync to claim new mail is slow to move the cursor; the second slower still.
    const delays = [150, 400];
    const advance = store.advanceCursor.bind(store);
    store.advanceCursor = async (...args) => {
      const delay = delays.shift();
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      return advance(...args);
    };
    const rng = new Random(303);
    const early = { ...arriving(h, rng), labelIds: ['CATEGORY_PROMOTIONS', 'INBOX', 'UNREAD'] };
    h.google.google.deliver(h.owner, { ...early, from: { ...early.from, bulk: true } });
    const first = task(h, '/tasks/sync', { userId: h.userId });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const late = { ...arriving(h, rng), labelIds: ['CATEGORY_PROMOTIONS', 'INBOX', 'UNREAD'] };
    h.google.google.deliver(h.owner, { ...late, from: { ...late.from, bulk: true } });
    const second = task(h, '/tasks/sync', { userId: h.userId });
    expect((await Promise.all([first, second])).map((r) => r.status)).toEqual([204, 204]);

    // No notification comes for the late message again: the service must not need one.
    const account = h.google.google.account(h.owner);
    await waitFor(
      () =>
        [early, late].every((m) => account.message(m.id)?.labelIds.includes('TRASH')) || undefined,
      10_000,
    );
    // Trash comes before the batch is counted: wait for the runs to be final, not just trashed.
    const runs = await waitFor(async () => {
      const all = (await store.listRuns(h!.userId, 10)).filter((r) => r.kind === 'incremental');
      return all.every((r) => r.status === 'DONE' || r.status === 'CANCELLED') ? all : undefined;
    }, 10_000);
    expect(runs.map((r) => r.status).sort()).toEqual(['CANCELLED', 'DONE', 'DONE']);
    expect(neverBackward(h.cursors)).toBe(true);
    const moved = h.cursors.at(-1)!;
    expect(BigInt(moved)).toBeGreaterThan(BigInt(cursor.historyId));

    // Late copies of a sync, of the scan's watch task and of old notifications: the cursor
    // stays where the syncs left it, nothing is queued, no run starts.
    expect((await task(h, '/tasks/sync', { userId: h.userId })).status).toBe(204);
    await h.started.service.queue.idle();
    const settled = (await store.getUser(h.userId))!.cursor!.historyId;
    const scan = (await store.listRuns(h.userId, 10)).find((r) => r.kind === 'full')!;
    const pending = h.started.service.queue.counts().pending;
    expect((await task(h, '/tasks/watch', { userId: h.userId, runId: scan.id })).status).toBe(204);
    for (const historyId of [settled, moved, cursor.historyId, '1']) {
      const pushed = await fetch(`${h.started.url}/push/gmail?token=${PUSH_TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope(h.owner, historyId)),
      });
      expect(pushed.status).toBe(204);
    }
    expect((await store.getUser(h.userId))?.cursor?.historyId).toBe(settled);
    expect(h.started.service.queue.counts().pending).toBe(pending);
    expect(neverBackward(h.cursors)).toBe(true);
    expect((await store.listRuns(h.userId, 10)).length).toBe(runs.length + 1);
  }, 60_000);
});

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
