import { describe, expect, it } from 'vitest';
import { partKey, safePartDecision } from './part-decisions.js';
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

  it('lets a trash through only for unimportant mail of a bulk category', () => {
    for (const category of ['promotions', 'social', 'updates', 'forums'] as const) {
      expect(safePartDecision(facts({ category }), trash)).toEqual(trash);
    }
  });

  it('never trashes important mail or Primary mail unread, whatever the classifier says', () => {
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
