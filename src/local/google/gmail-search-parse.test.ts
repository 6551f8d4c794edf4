import { describe, expect, it } from 'vitest';
import { matchesQuery } from './gmail-search.js';
import { parseQuery, type QueryNode } from './gmail-search-parse.js';
import { Random } from './random.js';
import type { SearchContext, SimMessage } from './sim-types.js';

const text = (value: string): QueryNode => ({ type: 'term', term: { field: 'text', value } });
const subject = (value: string): QueryNode => ({ type: 'term', term: { field: 'subject', value } });
const from = (value: string): QueryNode => ({ type: 'term', term: { field: 'from', value } });
const and = (...children: QueryNode[]): QueryNode => ({ type: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ type: 'or', children });
const not = (child: QueryNode): QueryNode => ({ type: 'not', child });
const everything = and();

describe('parseQuery', () => {
  it('joins side-by-side terms with AND, with or without the AND keyword', () => {
    expect(parseQuery('a b')).toEqual(and(text('a'), text('b')));
    expect(parseQuery('a AND b')).toEqual(and(text('a'), text('b')));
  });

  it('binds OR tighter than the implicit AND', () => {
    expect(parseQuery('a b OR c d')).toEqual(and(text('a'), or(text('b'), text('c')), text('d')));
    expect(parseQuery('a OR b OR c')).toEqual(or(text('a'), text('b'), text('c')));
  });

  it('reads only uppercase OR as the operator', () => {
    expect(parseQuery('a or b')).toEqual(and(text('a'), text('or'), text('b')));
    expect(parseQuery('a Or b')).toEqual(and(text('a'), text('or'), text('b')));
  });

  it('reads braces as OR and parentheses as a group', () => {
    expect(parseQuery('{a b c}')).toEqual(or(text('a'), text('b'), text('c')));
    expect(parseQuery('(a OR b) c')).toEqual(and(or(text('a'), text('b')), text('c')));
    expect(parseQuery('x (a b)')).toEqual(and(text('x'), and(text('a'), text('b'))));
  });

  it('negates terms and groups and folds double negation', () => {
    expect(parseQuery('-a')).toEqual(not(text('a')));
    expect(parseQuery('-(a b)')).toEqual(not(and(text('a'), text('b'))));
    expect(parseQuery('--a')).toEqual(text('a'));
    expect(parseQuery('-(-a)')).toEqual(text('a'));
  });

  it('keeps a dash inside a word as part of the word', () => {
    expect(parseQuery('e-mail')).toEqual(text('e-mail'));
    expect(parseQuery('label:to-do')).toEqual({
      type: 'term',
      term: { field: 'userLabel', name: 'to-do' },
    });
  });

  it('reads a quoted phrase as one lowercased, space-collapsed term', () => {
    expect(parseQuery('"Exact  Phrase"')).toEqual(text('exact phrase'));
    expect(parseQuery('"a OR b" -"c (d)"')).toEqual(and(text('a or b'), not(text('c (d)'))));
  });

  it('applies an operator to a phrase, a parenthesised group and a brace group', () => {
    expect(parseQuery('subject:"dinner and a movie"')).toEqual(subject('dinner and a movie'));
    expect(parseQuery('subject:(dinner movie)')).toEqual(and(subject('dinner'), subject('movie')));
    expect(parseQuery('from:{a b}')).toEqual(or(from('a'), from('b')));
    expect(parseQuery('subject:(a -b "c d")')).toEqual(
      and(subject('a'), not(subject('b')), subject('c d')),
    );
  });

  it('reads operator names in any case', () => {
    expect(parseQuery('SUBJECT:Hello')).toEqual(subject('hello'));
  });

  it('reads unknown operators as plain words', () => {
    expect(parseQuery('foo:bar')).toEqual(text('foo:bar'));
    expect(parseQuery('http://example.com')).toEqual(text('http://example.com'));
  });

  it.each([
    ['', everything],
    ['   ', everything],
    ['-', everything],
    ['- a', text('a')],
    ['OR', everything],
    ['OR a OR', text('a')],
    ['a OR OR b', or(text('a'), text('b'))],
    ['AND', everything],
    ['()', everything],
    ['{}', everything],
    ['-()', everything],
    ['""', everything],
    ['"', everything],
    ['(a', text('a')],
    ['a)', text('a')],
    [')a(', text('a')],
    ['}a{', text('a')],
    ['(a}', text('a')],
    ['"a b', text('a b')],
    ['-)', everything],
    ['a -OR b', and(text('a'), text('b'))],
    ['subject:', text('subject:')],
    ['subject:(', everything],
    ['subject:""', everything],
    ['+', everything],
  ])('reads %j without throwing', (q, expected) => {
    expect(parseQuery(q)).toEqual(expected);
  });

  it('survives deeply nested brackets and long negation chains', () => {
    const deep = `${'('.repeat(10_000)}a${')'.repeat(10_000)}`;
    expect(() => parseQuery(deep)).not.toThrow();
    expect(parseQuery(`${'-'.repeat(10_001)}a`)).toEqual(not(text('a')));
    expect(parseQuery(`${'{'.repeat(5_000)}a`)).toEqual(text('a'));
  });
});

describe('parseQuery fuzzing', () => {
  /** Seeded, so the same cases run every time. */
  function prng(seed: number): () => number {
    const generator = new Random(seed);
    return () => generator.next();
  }

  const alphabet = [
    'from:',
    'to:',
    'subject:',
    'label:',
    'category:',
    'in:',
    'is:',
    'has:',
    'larger:',
    'smaller:',
    'size:',
    'older_than:',
    'newer_than:',
    'after:',
    'before:',
    'list:',
    'rfc822msgid:',
    'filename:',
    'foo:',
    'OR',
    'AND',
    'or',
    '"',
    '(',
    ')',
    '{',
    '}',
    '-',
    '--',
    '+',
    ':',
    ' ',
    '  ',
    '\t',
    '\n',
    '\u00a0',
    'a',
    'amazon',
    'trash',
    'anywhere',
    'promotions',
    '10M',
    '1y',
    '2024/02/30',
    '2024-03-10',
    '1710028800',
    '<id@x>',
    'é',
    'İ',
    'ß',
    '日本',
    '😀',
    '\ud800',
    '\u0000',
    '\\',
    '*',
    '/',
  ];

  const probe: SimMessage = {
    id: '00000000000000ff',
    threadId: '00000000000000ff',
    internalDate: Date.UTC(2024, 2, 10),
    labelIds: ['INBOX', 'Label_1', 'UNREAD'],
    from: { name: 'Amazon', address: 'a@amazon.com', bulk: true, listId: 'x.amazon.com' },
    to: ['me@example.com'],
    subject: 'Trash 日本 😀',
    snippet: 'é ß',
    sizeEstimate: 12_000_000,
    attachments: ['f.pdf'],
    messageIdHeader: '<id@x>',
    historyId: 1,
  };
  const ctx: SearchContext = {
    now: Date.UTC(2025, 0, 1),
    isUserLabel: (id) => id === 'Label_1',
    labelIdByName: (name) => (name === 'amazon' ? 'Label_1' : undefined),
  };

  it('never throws on 5,000 random queries and always answers with a boolean', () => {
    const random = prng(20_240_310);
    for (let i = 0; i < 5_000; i++) {
      const length = Math.floor(random() * 24);
      let q = '';
      for (let j = 0; j < length; j++) q += alphabet[Math.floor(random() * alphabet.length)];
      const node = parseQuery(q);
      expect(typeof matchesQuery(node, probe, ctx), q).toBe('boolean');
    }
  });
});
