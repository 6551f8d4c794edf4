import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oddMailbox } from './helpers/odd-mailboxes.js';
import { inScope, protectedIds } from './helpers/outside-checks.js';
import {
  type Judge,
  type ScanOutcome,
  type Strategy,
  scanThroughContract,
} from './helpers/outside-scan.js';

const OWNER = 'odd@example.com';
const SEED = 77;

type Mode = 'auto' | 'review';
const SCANS: readonly (readonly [Strategy, Judge, Mode])[] = [
  ['by-message', 'rules', 'auto'],
  ['by-sender', 'rules', 'auto'],
  ['by-message', 'llm-trash-all', 'auto'],
  ['by-sender', 'llm-trash-all', 'auto'],
  ['by-message', 'rules', 'review'],
  ['by-sender', 'llm-trash-all', 'review'],
];

describe('a mailbox unlike the generated ones, scanned through the contract', () => {
  const outcomes = new Map<string, ScanOutcome>();
  const of = (strategy: Strategy, judge: Judge, mode: Mode) =>
    outcomes.get(`${strategy} ${judge} ${mode}`)!;

  beforeAll(async () => {
    const now = Date.now();
    for (const [strategy, judge, mode] of SCANS) {
      const mailbox = oddMailbox(OWNER, SEED, now);
      const outcome = await scanThroughContract({ owner: OWNER, mailbox, strategy, judge, mode });
      outcomes.set(`${strategy} ${judge} ${mode}`, outcome);
    }
  }, 240_000);

  afterAll(() => outcomes.clear());

  it.each(SCANS)(
    'ends DONE with counters that agree with Gmail (%s, %s, %s)',
    (strategy, judge, mode) => {
      const { before, run, trashed } = of(strategy, judge, mode);
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
    },
  );

  it.each(SCANS)(
    'never trashes what the protection rules cover (%s, %s, %s)',
    (strategy, judge, mode) => {
      const { before, trashed } = of(strategy, judge, mode);
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
    },
  );

  it.each(SCANS)('counts the bytes of what it trashed (%s, %s, %s)', (strategy, judge, mode) => {
    const { before, run, trashed } = of(strategy, judge, mode);
    const real = before.filter((m) => trashed.has(m.id)).reduce((n, m) => n + m.sizeEstimate, 0);
    if (strategy === 'by-message') expect(run.bytesTrashed).toBe(real);
    else expect(Math.abs(run.bytesTrashed - real) / real).toBeLessThanOrEqual(0.02);
  });

  it.each(SCANS)('undoes exactly what it trashed (%s, %s, %s)', (strategy, judge, mode) => {
    const { before, trashed, after } = of(strategy, judge, mode);
    for (const m of before) {
      const labels = after.get(m.id);
      expect(labels, m.id).toBeDefined();
      expect(labels!.includes('TRASH')).toBe(m.labelIds.includes('TRASH'));
    }
    expect(trashed.size).toBeGreaterThan(0);
  });

  it('trashes every unmarked promotion with the LLM that trashes everything', () => {
    const { before, trashed } = of('by-sender', 'llm-trash-all', 'auto');
    const covered = protectedIds(before);
    const open = inScope(before).filter((m) => !covered.has(m.id));
    const left = open.filter(
      (m) => !trashed.has(m.id) && m.labelIds.includes('CATEGORY_PROMOTIONS'),
    );
    expect(left.map((m) => [m.from.address, m.labelIds.join(' ')])).toEqual([]);
  });
});
