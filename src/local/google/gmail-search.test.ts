import { describe, expect, it } from 'vitest';
import {
  alice,
  amazon,
  ctx,
  DAY,
  github,
  matches,
  message,
  NOW,
} from '../../../test/helpers/gmail-search-fixtures.js';
import { matchesQuery, parseQuery, reachesSpamOrTrash } from './gmail-search.js';

// Query structure: AND, OR, negation and grouping, odd input, and whether a query reaches
// spam or trash. What single operators match is in gmail-search-text and -attributes.

describe('boolean structure', () => {
  const deal = message({ from: amazon, subject: 'Your weekly deals', snippet: 'Save now' });

  it('matches either side of OR', () => {
    expect(matches('from:amazon OR from:alice')).toBe(true);
    expect(matches('from:amazon OR from:alice', deal)).toBe(true);
    expect(matches('from:amazon OR from:github')).toBe(false);
  });

  it('binds OR tighter than the implicit AND, as Gmail does', () => {
    expect(matches('dinner from:amazon OR from:alice')).toBe(true);
    expect(matches('weekly from:amazon OR from:alice')).toBe(false);
  });

  it('treats lowercase or as a word to search for', () => {
    expect(matches('dinner OR breakfast')).toBe(true);
    expect(matches('dinner or breakfast')).toBe(false);
  });

  it('matches any member of a brace group', () => {
    expect(matches('{breakfast dinner lunch}')).toBe(true);
    expect(matches('{breakfast lunch}')).toBe(false);
  });

  it('groups with parentheses', () => {
    expect(matches('(from:amazon OR from:alice) dinner')).toBe(true);
    expect(matches('(from:amazon OR from:alice) weekly')).toBe(false);
    expect(matches('(from:amazon OR from:alice) weekly', deal)).toBe(true);
  });

  it('negates a term, a phrase, and a group', () => {
    expect(matches('-from:amazon')).toBe(true);
    expect(matches('-from:amazon', deal)).toBe(false);
    expect(matches('-"dinner tonight"')).toBe(false);
    expect(matches('-(dinner elm)')).toBe(false);
    expect(matches('-(dinner breakfast)')).toBe(true);
    expect(matches('-{breakfast dinner}')).toBe(false);
  });

  it('cancels a double negation', () => {
    expect(matches('--dinner')).toBe(true);
    expect(matches('-(-dinner)')).toBe(true);
  });
});

describe('odd input', () => {
  it('searches for unknown operators and unreadable values as plain words', () => {
    expect(matches('foo:bar', message({ snippet: 'see foo:bar' }))).toBe(true);
    expect(matches('foo:bar')).toBe(false);
    expect(matches('larger:lots', message({ snippet: 'larger:lots' }))).toBe(true);
    expect(matches('after:2024/02/30', message({ snippet: 'after:2024/02/30' }))).toBe(true);
    expect(matches('is:bogus')).toBe(false);
  });

  it.each([
    ['(dinner', true],
    ['dinner)', true],
    ['"dinner tonight', true],
    ['dinner -', true],
    ['OR dinner OR', true],
    ['{dinner', true],
    ['subject:(dinner', true],
    ['()', true],
    ['-()', true],
    ['-', true],
    ['""', true],
    ['from:', false],
  ])('reads %s without failing', (q, expected) => {
    expect(matches(q)).toBe(expected);
  });
});

describe('reachesSpamOrTrash', () => {
  it.each([
    'in:trash',
    'in:spam',
    'in:anywhere',
    'label:trash',
    'label:SPAM',
    'from:amazon in:trash',
    'in:inbox OR in:spam',
    '{in:trash in:inbox}',
    '-(-in:trash)',
    'in:{inbox trash}',
  ])('is true for %s', (q) => {
    expect(reachesSpamOrTrash(parseQuery(q))).toBe(true);
  });

  it.each([
    '',
    'from:amazon',
    'in:inbox',
    '-in:trash',
    '-label:spam',
    '-(in:trash OR in:spam)',
    'trash',
    '"in:trash"',
    'label:receipts',
  ])('is false for %s', (q) => {
    expect(reachesSpamOrTrash(parseQuery(q))).toBe(false);
  });
});

describe('a large mailbox', () => {
  it('evaluates one parsed query over 100,000 messages', () => {
    const senders = [amazon, alice, github];
    const messages = Array.from({ length: 100_000 }, (_, i) =>
      message({
        id: i.toString(16).padStart(16, '0'),
        from: senders[i % senders.length]!,
        internalDate: NOW - (i % 1000) * DAY,
        labelIds: i % 2 === 0 ? ['INBOX', 'CATEGORY_PROMOTIONS'] : ['INBOX', 'Label_1'],
        sizeEstimate: 1000 + i,
      }),
    );
    const query = parseQuery(
      '(category:promotions OR label:receipts) older_than:1y -is:starred {from:amazon list:github} larger:10k',
    );
    const found = messages.filter((m) => matchesQuery(query, m, ctx));
    const expected = messages.filter(
      (m, i) => i % 3 !== 1 && m.internalDate < NOW - 365 * DAY && m.sizeEstimate > 10 * 1024,
    );
    expect(found.map((m) => m.id)).toEqual(expected.map((m) => m.id));
  });
});
