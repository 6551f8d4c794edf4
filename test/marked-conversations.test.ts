import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDecision, Run } from '../src/domain/model.js';
import type { ConversationMark } from '../src/domain/protection.js';
import { markOfLabels } from '../src/domain/protection.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { signIn, startLocalService } from './helpers/local-service.js';
import { markedConversations } from './helpers/marked-conversations.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'marks@example.com';
const SIZE = 4_000;
const SEED = 1414;

type Strategy = 'by-message' | 'by-sender';
type Judge = 'rules' | 'llm' | 'llm-trash-all';

interface Scan {
  readonly run: Run;
  /** The mailbox before the scan, in scope (outside Spam and Trash). */
  readonly inScope: readonly SimMessage[];
  readonly marked: ReadonlyMap<string, ConversationMark>;
  readonly decisions: ReadonlyMap<string, MessageDecision>;
  readonly trashed: ReadonlySet<string>;
}

/** A fresh copy of the mailbox; every copy is generated at one instant, so they are equal. */
async function mailboxCopy(at: number): Promise<RunningGoogle> {
  const realNow = Date.now;
  Date.now = () => at;
  try {
    return await startSimulatedGoogle([{ email: OWNER, mailbox: { size: SIZE, seed: SEED } }], {
      userUnitsPerMinute: 100_000_000,
    });
  } finally {
    Date.now = realNow;
  }
}

/** One full scan of a copy of the mailbox, checked against the simulator's own truth. */
async function scan(google: RunningGoogle, strategy: Strategy, judge: Judge): Promise<Scan> {
  let fake: FakeOpenAi | undefined;
  if (judge !== 'rules') {
    fake = await startFakeOpenAi();
    fake.trashAll = judge === 'llm-trash-all';
  }
  const started = await startLocalService(google, {
    env: {
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      SCAN_STRATEGY: strategy,
      ...(fake ? { OPENAI_BASE_URL: fake.baseUrl } : {}),
    },
  });
  try {
    const account = google.google.account(OWNER);
    const inScope = [...account.messagesAfter(undefined)]
      .filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'))
      .map((m) => ({ ...m, labelIds: [...m.labelIds] }));
    await signIn(started.client);
    await started.client.post('/app/openai-key', fake ? { apiKey: VALID_KEY } : { rulesOnly: '1' });
    const start = await started.client.post('/app/runs');
    const runId = start.headers.get('location')!.replace('/runs/', '');
    let run = await started.service.store.getRun(runId);
    const deadline = Date.now() + 120_000;
    while (run && !['DONE', 'FAILED', 'CANCELLED'].includes(run.status)) {
      if (Date.now() > deadline) throw new Error(`${strategy} ${judge} scan did not finish`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await started.service.store.getRun(runId);
    }
    const batches = await started.service.store.listBatches(runId);
    const decisions = new Map(batches.flatMap((b) => b.decisions).map((d) => [d.id, d]));
    const trashed = new Set(
      inScope.filter((m) => account.message(m.id)?.labelIds.includes('TRASH')).map((m) => m.id),
    );
    return { run: run!, inScope, marked: markedConversations(inScope), decisions, trashed };
  } finally {
    await started.close();
    await fake?.close();
    await google.close();
  }
}

const SCANS: readonly (readonly [Strategy, Judge])[] = [
  ['by-message', 'rules'],
  ['by-sender', 'rules'],
  ['by-message', 'llm'],
  ['by-sender', 'llm'],
  ['by-message', 'llm-trash-all'],
  ['by-sender', 'llm-trash-all'],
];

describe('a mailbox whose owner marks conversations', () => {
  const scans = new Map<string, Scan>();
  const scanOf = (strategy: Strategy, judge: Judge) => scans.get(`${strategy} ${judge}`)!;

  beforeAll(async () => {
    const generatedAt = Date.now();
    for (const [strategy, judge] of SCANS) {
      const google = await mailboxCopy(generatedAt);
      scans.set(`${strategy} ${judge}`, await scan(google, strategy, judge));
    }
  }, 600_000);
  afterAll(() => scans.clear());

  it('holds the shapes real Gmail gives marked mail', () => {
    const { inScope } = scanOf('by-message', 'rules');
    const threads = new Map<string, SimMessage[]>();
    for (const m of inScope) threads.set(m.threadId, [...(threads.get(m.threadId) ?? []), m]);
    const bulkThreads = [...threads.values()].filter(
      (t) => t.length > 1 && t.every((m) => m.from.bulk && !m.labelIds.includes('SENT')),
    );
    // Newest first: Gmail starred the newest message of the conversation only.
    const starredOnNewest = bulkThreads.filter(
      (t) =>
        markOfLabels(t[0]!.labelIds) === 'starred' &&
        t.slice(1).every((m) => markOfLabels(m.labelIds) === undefined),
    );
    // A label put on the conversation before its latest replies arrived.
    const labelMissesReplies = bulkThreads.filter(
      (t) =>
        markOfLabels(t[0]!.labelIds) === undefined &&
        markOfLabels(t.at(-1)!.labelIds) === 'labelled',
    );
    const markerOnly = inScope.filter(
      (m) => !m.labelIds.includes('STARRED') && m.labelIds.some((l) => /_(BANG|CHECK)$/.test(l)),
    );
    const snoozed = inScope.filter((m) => m.snoozed);
    const lookAlikes = inScope.filter((m) => /^'[^']+@[^']+' via /.test(m.from.name));
    expect(starredOnNewest.length).toBeGreaterThanOrEqual(3);
    expect(labelMissesReplies.length).toBeGreaterThanOrEqual(3);
    expect(markerOnly.length).toBeGreaterThan(0);
    expect(snoozed.length).toBeGreaterThan(0);
    expect(lookAlikes.length).toBeGreaterThan(0);
  });

  it.each(SCANS)('never trashes a message of a marked conversation (%s, %s)', (strategy, judge) => {
    const { run, inScope, marked, decisions, trashed } = scanOf(strategy, judge);
    expect(run.status).toBe('DONE');
    const markedMessages = inScope.filter((m) => marked.has(m.threadId));
    const unmarkedMembers = markedMessages.filter((m) => markOfLabels(m.labelIds) === undefined);
    expect(unmarkedMembers.length).toBeGreaterThan(50);
    expect(markedMessages.filter((m) => trashed.has(m.id)).map((m) => m.id)).toEqual([]);
    expect(inScope.filter((m) => m.snoozed && trashed.has(m.id))).toEqual([]);
    for (const m of markedMessages) expect(decisions.get(m.id)?.decision).toBe('protected');
    // Nothing else is protected: no keep-list, and only marks protect.
    expect(run.counters.protected).toBe(markedMessages.length);
    expect(run.counters.trashed).toBe(trashed.size);
    expect(trashed.size).toBeGreaterThan(0);
  });

  it('names the conversation as the reason for an unmarked member', () => {
    const { inScope, marked, decisions } = scanOf('by-sender', 'llm-trash-all');
    const reasons = new Set(
      inScope
        .filter((m) => marked.has(m.threadId) && markOfLabels(m.labelIds) === undefined)
        .map((m) => decisions.get(m.id)?.reason),
    );
    expect(reasons).toContain('in a starred conversation');
    expect(reasons).toContain('in a conversation with one of your labels');
    expect(reasons).toContain('in a snoozed conversation');
  });

  it.each(['rules', 'llm-trash-all'] as const)(
    'decides every message the same way by either strategy (%s)',
    (judge) => {
      const byMessage = scanOf('by-message', judge);
      const bySender = scanOf('by-sender', judge);
      const differing = [...byMessage.decisions.values()].filter(
        (d) => bySender.decisions.get(d.id)?.decision !== d.decision,
      );
      expect(
        differing.map((d) => [d.id, d.decision, bySender.decisions.get(d.id)?.decision]),
      ).toEqual([]);
      expect([...bySender.trashed].sort()).toEqual([...byMessage.trashed].sort());
    },
  );
});
