import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type MessageDecision } from '../src/domain/model.js';
import { oldBefore } from '../src/domain/scan-partitions.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { markedConversations } from './helpers/marked-conversations.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'tail@example.com';
const DAY = 86_400_000;

/**
 * A scan by sender with an OpenAI key on a long-tail mailbox: reads go only where they change
 * a decision. The fake model decides unimportant promotions and social mail (trash) and
 * important updates (keep) from those facts alone; everything else is looked at by sender.
 */
describe('a scan by sender with an OpenAI key on a long-tail mailbox', () => {
  let google: RunningGoogle;
  let fake: FakeOpenAi;
  let started: StartedService;
  let inScope: SimMessage[];
  let decisions: Map<string, MessageDecision>;
  let reads: number;
  let startedAt: number;

  beforeAll(async () => {
    google = await startSimulatedGoogle(
      [{ email: OWNER, mailbox: { size: 1_500, seed: 23, shape: 'long-tail' } }],
      { userUnitsPerMinute: 10_000_000 },
    );
    inScope = [...google.google.account(OWNER).messagesAfter(undefined)]
      .filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'))
      .map((m) => ({ ...m, labelIds: [...m.labelIds] }));
    fake = await startFakeOpenAi();
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', OPENAI_BASE_URL: fake.baseUrl },
    });
    await signIn(started.client);
    await started.client.post('/app/openai-key', { apiKey: VALID_KEY });
    const before = google.google.stats.snapshot(OWNER).methods['users.messages.get']?.calls ?? 0;
    const start = await started.client.post('/app/runs');
    const runId = start.headers.get('location')!.replace('/runs/', '');
    const deadline = Date.now() + 120_000;
    let run = await started.service.store.getRun(runId);
    while (run && !['DONE', 'FAILED', 'CANCELLED'].includes(run.status)) {
      if (Date.now() > deadline) throw new Error('the scan did not finish');
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await started.service.store.getRun(runId);
    }
    expect(run?.status).toBe('DONE');
    startedAt = run!.startedAt!;
    const batches = await started.service.store.listBatches(runId);
    decisions = new Map(batches.flatMap((b) => b.decisions).map((d) => [d.id, d]));
    reads =
      (google.google.stats.snapshot(OWNER).methods['users.messages.get']?.calls ?? 0) - before;
  }, 150_000);
  afterAll(async () => {
    await started?.close();
    await fake?.close();
    await google?.close();
  });

  const unmarked = () => {
    const marked = markedConversations(inScope);
    return inScope.filter((m) => !marked.has(m.threadId) && !m.snoozed);
  };
  const has = (m: SimMessage, label: string) => m.labelIds.includes(label);

  it('trashes unimportant promotions and social mail, and keeps important updates, by category', () => {
    const cutoff = oldBefore(startedAt, DEFAULT_POLICY.minAgeDays) * 1000;
    const allBulk = unmarked().filter(
      (m) => (has(m, 'CATEGORY_PROMOTIONS') || has(m, 'CATEGORY_SOCIAL')) && !has(m, 'IMPORTANT'),
    );
    // The owner's minimum age (30 days by default) holds for the LLM too: younger mail stays.
    const bulk = allBulk.filter((m) => m.internalDate < cutoff);
    const young = allBulk.filter((m) => m.internalDate >= cutoff && m.internalDate <= startedAt);
    expect(young.length).toBeGreaterThan(0);
    for (const m of young) expect(decisions.get(m.id)?.decision).toBe('keep');
    const important = unmarked().filter((m) => has(m, 'CATEGORY_UPDATES') && has(m, 'IMPORTANT'));
    expect(bulk.length).toBeGreaterThan(100);
    expect(important.length).toBeGreaterThan(20);
    for (const m of bulk) {
      expect(decisions.get(m.id)).toMatchObject({ decision: 'trash' });
      expect(decisions.get(m.id)?.reason).toMatch(/^LLM, by its Gmail category: /);
    }
    for (const m of important) {
      expect(decisions.get(m.id)).toMatchObject({ decision: 'keep' });
    }
  });

  it('reads fewer messages than there are outside the parts decided from their facts', () => {
    const decidedByFacts = (m: SimMessage) =>
      ((has(m, 'CATEGORY_PROMOTIONS') || has(m, 'CATEGORY_SOCIAL')) && !has(m, 'IMPORTANT')) ||
      (has(m, 'CATEGORY_UPDATES') && has(m, 'IMPORTANT'));
    const rest = unmarked().filter((m) => !decidedByFacts(m) && m.internalDate < startedAt);
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(rest.length);
  });

  it('trashes nothing of a marked conversation, and nothing newer than the scan', () => {
    const marked = markedConversations(inScope);
    for (const m of inScope) {
      if (marked.has(m.threadId) || m.snoozed) {
        expect(decisions.get(m.id)?.decision).not.toBe('trash');
      }
      if (m.internalDate > startedAt + DAY) expect(decisions.has(m.id)).toBe(false);
    }
  });

  it('decides no part whole in a review, which proposes every trash by its sender', async () => {
    const start = await started.client.post('/app/runs', { mode: 'review' });
    expect(start.status).toBe(303);
    const runId = start.headers.get('location')!.replace('/runs/', '');
    const deadline = Date.now() + 120_000;
    let run = await started.service.store.getRun(runId);
    while (run && run.status !== 'REVIEW') {
      if (Date.now() > deadline || ['FAILED', 'CANCELLED'].includes(run.status)) {
        throw new Error(`the review did not finish: ${run.status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await started.service.store.getRun(runId);
    }
    const decided = (await started.service.store.listBatches(runId)).flatMap((b) => b.decisions);
    expect(decided.some((d) => d.reason.startsWith('LLM, by its Gmail category'))).toBe(false);
    const plan = await started.client.get(`/api/runs/${runId}/plan`);
    const body = (await plan.json()) as { senders: { key: string; action: string }[] };
    const trash = body.senders.filter((s) => s.action === 'trash');
    // The auto scan above trashed most of it already: what is left is proposed sender by sender.
    expect(trash.length).toBeGreaterThan(5);
    expect(trash.every((s) => s.key.includes('@'))).toBe(true);
  }, 150_000);
});
