import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './model.js';
import { agelessVerdicts, partKey, safePartDecision, toSenderDecision } from './part-decisions.js';
import { type PartitionFacts, scanPartitions } from './scan-partitions.js';

const facts = (over: Partial<PartitionFacts>): PartitionFacts => ({
  protectedBy: null,
  category: 'promotions',
  important: false,
  old: true,
  ...over,
});
const trash = { action: 'trash', reason: 'bulk mail' } as const;

describe('decisions about whole parts of the mailbox', () => {
  it('names each part as the scan partitions do, so a sync finds the scan’s decisions', () => {
    const parts = scanPartitions({ keepSenders: [], startedAt: Date.now(), minAgeDays: 30 });
    for (const part of parts) expect(partKey(part.facts)).toBe(part.key);
  });

  it('lets a trash through only for unimportant promotions and social mail', () => {
    for (const category of ['promotions', 'social'] as const) {
      expect(safePartDecision(facts({ category }), trash)).toEqual(trash);
    }
  });

  it('never trashes unread what may hold documents, important or Primary mail, whatever the classifier says', () => {
    expect(safePartDecision(facts({ category: 'updates' }), trash)).toBeUndefined();
    expect(safePartDecision(facts({ category: 'forums' }), trash)).toBeUndefined();
    expect(safePartDecision(facts({ important: true }), trash)).toBeUndefined();
    expect(safePartDecision(facts({ important: null }), trash)).toBeUndefined();
    expect(safePartDecision(facts({ category: 'personal' }), trash)).toBeUndefined();
    expect(safePartDecision(facts({ category: 'none' }), trash)).toBeUndefined();
  });

  it('takes a keep for any part, and looks at the senders when asked to or unanswered', () => {
    const keep = { action: 'keep', reason: 'account mail' } as const;
    expect(safePartDecision(facts({ category: 'personal', important: true }), keep)).toEqual(keep);
    const senders = { action: 'senders', reason: 'depends' } as const;
    expect(safePartDecision(facts({}), senders)).toBeUndefined();
    expect(safePartDecision(facts({}), undefined)).toBeUndefined();
  });
});

describe('what a scan decided of the parts, applied to new mail', () => {
  const policy = { ...DEFAULT_POLICY, version: 3 };
  const cached = (entries: readonly (readonly [string, 'trash' | 'keep' | 'senders'])[]) =>
    new Map(
      entries.map(([key, action]) => [
        `part:${key}`,
        toSenderDecision(key, { action, reason: 'r' }, policy, 0),
      ]),
    );

  it('holds a decision only where both ages were decided alike', () => {
    const verdicts = agelessVerdicts(
      cached([
        ['promotions:normal:old', 'trash'],
        ['promotions:normal:recent', 'trash'],
        ['social:normal:old', 'trash'],
        ['social:normal:recent', 'senders'],
        ['updates:important:old', 'keep'],
      ]),
      policy,
    );
    expect([...verdicts.keys()]).toEqual(['promotions:false']);
  });

  it('holds nothing decided under another policy, nor a trash of important mail', () => {
    const older = agelessVerdicts(
      cached([
        ['promotions:normal:old', 'trash'],
        ['promotions:normal:recent', 'trash'],
      ]),
      { ...policy, version: 4 },
    );
    expect(older.size).toBe(0);
    const important = agelessVerdicts(
      cached([
        ['promotions:important:old', 'trash'],
        ['promotions:important:recent', 'trash'],
      ]),
      policy,
    );
    expect(important.size).toBe(0);
  });

  it('needs only the old part without a minimum age, when all mail counts as old', () => {
    const verdicts = agelessVerdicts(cached([['updates:important:old', 'keep']]), {
      ...policy,
      minAgeDays: 0,
    });
    expect(verdicts.get('updates:true')?.action).toBe('keep');
  });
});
