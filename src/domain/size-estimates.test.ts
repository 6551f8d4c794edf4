import { describe, expect, it } from 'vitest';
import type { MessageMeta } from './message.js';
import type { BatchPlan } from './model.js';
import { estimatedSizeIds } from './size-estimates.js';

const facts = { protectedBy: null, category: null, important: null, old: null };
const sample = { id: 'b' } as MessageMeta;

describe('estimated sizes', () => {
  it('counts every unread message of a sender part as estimated, its samples as exact', () => {
    const plan: BatchPlan = {
      kind: 'sender',
      facts,
      threadIds: [],
      sender: 's@example.com',
      samples: [sample],
    };
    expect([...estimatedSizeIds(plan, ['a', 'b', 'c'])]).toEqual(['a', 'c']);
  });

  it('follows each part of a packed batch', () => {
    const plan: BatchPlan = {
      kind: 'packed',
      parts: [
        { count: 2, plan: { kind: 'read' } },
        { count: 1, plan: { kind: 'known', facts, threadIds: [], action: 'trash', reason: 'r' } },
        { count: 1, plan: { kind: 'protected', reason: 'starred' } },
      ],
    };
    expect([...estimatedSizeIds(plan, ['a', 'b', 'c', 'd'])]).toEqual(['c']);
  });

  it('knows every size of a batch planned message by message', () => {
    expect(estimatedSizeIds(null, ['a']).size).toBe(0);
    expect(estimatedSizeIds({ kind: 'read' }, ['a']).size).toBe(0);
  });
});
