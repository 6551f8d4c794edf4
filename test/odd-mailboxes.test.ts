import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from './helpers/fake-openai.js';
import { signIn, startLocalService } from './helpers/local-service.js';
import { oddMailbox } from './helpers/odd-mailboxes.js';
import {
  inScope,
  protectedIds,
  type RunJson,
  runIdOf,
  snapshot,
  waitForRun,
} from './helpers/outside-checks.js';
import { startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'odd@example.com';
const SEED = 77;

type Strategy = 'by-message' | 'by-sender';
type Judge = 'rules' | 'llm-trash-all';

interface Outcome {
  readonly before: readonly SimMessage[];
  readonly run: RunJson;
  /** Ids that went to Trash during the run. */
  readonly trashed: ReadonlySet<string>;
  readonly afterUndo: ReadonlyMap<string, readonly string[]>;
  readonly undone: RunJson;
}

/**
 * One full scan of the odd mailbox through the contract only (sign in, key or rules, POST
 * /app/runs, GET /api/runs/{id}, undo), as a tester outside the project drives it.
 */
async function scanOddMailbox(strategy: Strategy, judge: Judge, now: number): Promise<Outcome> {
  const google = await startSimulatedGoogle(
    [{ email: OWNER, mailbox: oddMailbox(OWNER, SEED, now) }],
    { userUnitsPerMinute: 100_000_000 },
  );
  let fake: FakeOpenAi | undefined;
  if (judge !== 'rules') {
    fake = await startFakeOpenAi();
    fake.trashAll = true;
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
    const before = snapshot(account.messagesAfter(undefined));
    const { client } = started;
    await signIn(client);
    const key = await client.post(
      '/app/openai-key',
      fake ? { apiKey: VALID_KEY } : { rulesOnly: '1' },
    );
    expect(key.status).toBe(303);
    const runId = runIdOf(await client.post('/app/runs', { mode: 'auto' }));
    const run = await waitForRun(client, runId);
    const wasTrash = new Set(before.filter((m) => m.labelIds.includes('TRASH')).map((m) => m.id));
    const trashed = new Set(
      [...account.messagesAfter(undefined)]
        .filter((m) => m.labelIds.includes('TRASH') && !wasTrash.has(m.id))
        .map((m) => m.id),
    );
    expect((await client.post(`/app/runs/${runId}/undo`)).status).toBe(303);
    const undone = await waitForRun(client, runId, ['DONE'], (r) => r.undo === 'done');
    const afterUndo = new Map(
      [...account.messagesAfter(undefined)].map((m) => [m.id, [...m.labelIds]] as const),
    );
    return { before, run, trashed, afterUndo, undone };
  } finally {
    await started.close();
    await fake?.close();
    await google.close();
  }
}

const SCANS: readonly (readonly [Strategy, Judge])[] = [
  ['by-message', 'rules'],
  ['by-sender', 'rules'],
  ['by-message', 'llm-trash-all'],
  ['by-sender', 'llm-trash-all'],
];

describe('a mailbox unlike the generated ones, scanned through the contract', () => {
  const outcomes = new Map<string, Outcome>();
  const of = (strategy: Strategy, judge: Judge) => outcomes.get(`${strategy} ${judge}`)!;

  beforeAll(async () => {
    const now = Date.now();
    for (const [strategy, judge] of SCANS) {
      outcomes.set(`${strategy} ${judge}`, await scanOddMailbox(strategy, judge, now));
    }
  }, 240_000);

  afterAll(() => outcomes.clear());

  it.each(SCANS)('ends DONE with counters that agree with Gmail (%s, %s)', (strategy, judge) => {
    const { before, run, trashed } = of(strategy, judge);
    const scope = inScope(before);
    expect(run.status).toBe('DONE');
    expect(run.errors.filter((e) => !/undo/i.test(e.message))).toEqual([]);
    expect(run.total).toBe(scope.length);
    expect(run.processed).toBe(scope.length);
    expect(run.remaining).toBe(0);
    expect(run.failed).toBe(0);
    expect(run.trashed).toBe(trashed.size);
    expect(trashed.size).toBeGreaterThan(0);
    const covered = protectedIds(before);
    expect(run.protected).toBe(scope.filter((m) => covered.has(m.id)).length);
  });

  it.each(SCANS)('never trashes what the protection rules cover (%s, %s)', (strategy, judge) => {
    const { before, trashed } = of(strategy, judge);
    const covered = protectedIds(before);
    expect(covered.size).toBeGreaterThan(20);
    // A failure names the whole conversation, with the labels that should have protected it.
    const conversation = (threadId: string) =>
      before
        .filter((m) => m.threadId === threadId)
        .map((m) => `${m.id} ${m.labelIds.join(',')}${m.snoozed ? ' snoozed' : ''}`);
    const wrong = before.filter((m) => trashed.has(m.id) && covered.has(m.id));
    expect(wrong.map((m) => conversation(m.threadId))).toEqual([]);
    // Mail already in Spam or Trash is not the scan's.
    const outside = before.filter((m) => inScope([m]).length === 0).map((m) => m.id);
    expect(outside.filter((id) => trashed.has(id))).toEqual([]);
  });

  it.each(SCANS)('counts the bytes of what it trashed (%s, %s)', (strategy, judge) => {
    const { before, run, trashed } = of(strategy, judge);
    const real = before.filter((m) => trashed.has(m.id)).reduce((n, m) => n + m.sizeEstimate, 0);
    if (strategy === 'by-message') expect(run.bytesTrashed).toBe(real);
    else expect(Math.abs(run.bytesTrashed - real) / real).toBeLessThanOrEqual(0.02);
  });

  it.each(SCANS)('undoes exactly what it trashed (%s, %s)', (strategy, judge) => {
    const { before, trashed, afterUndo } = of(strategy, judge);
    for (const m of before) {
      const labels = afterUndo.get(m.id);
      expect(labels, m.id).toBeDefined();
      expect(labels!.includes('TRASH')).toBe(m.labelIds.includes('TRASH'));
    }
    expect(trashed.size).toBeGreaterThan(0);
  });

  it('trashes every unmarked promotion with the LLM that trashes everything', () => {
    const { before, trashed } = of('by-sender', 'llm-trash-all');
    const covered = protectedIds(before);
    const open = inScope(before).filter((m) => !covered.has(m.id));
    const left = open.filter(
      (m) => !trashed.has(m.id) && m.labelIds.includes('CATEGORY_PROMOTIONS'),
    );
    expect(left.map((m) => [m.from.address, m.labelIds.join(' ')])).toEqual([]);
  });
});
