import { describe, expect, it } from 'vitest';
import type { QueryNode } from './gmail-search-parse.js';
import { type Term, termFor } from './gmail-search-terms.js';

const term = (t: Term): QueryNode => ({ type: 'term', term: t });
const DAY = 86_400_000;

describe('termFor', () => {
  it.each([
    ['larger', '2048', 2048],
    ['larger', '5k', 5 * 1024],
    ['larger', '5KB', 5 * 1024],
    ['larger', '10M', 10 * 1024 ** 2],
    ['larger', '1.5m', 1.5 * 1024 ** 2],
    ['size', '1G', 1024 ** 3],
  ])('reads %s:%s as more than %i bytes', (operator, value, bytes) => {
    expect(termFor(operator, value)).toEqual(term({ field: 'larger', bytes }));
  });

  it('reads smaller: as fewer bytes', () => {
    expect(termFor('smaller', '1k')).toEqual(term({ field: 'smaller', bytes: 1024 }));
  });

  it.each([
    ['3d', 3 * DAY],
    ['2m', 60 * DAY],
    ['1y', 365 * DAY],
    ['10D', 10 * DAY],
  ])('reads an age of %s as %i milliseconds', (value, ms) => {
    expect(termFor('older_than', value)).toEqual(term({ field: 'older_than', ms }));
    expect(termFor('newer_than', value)).toEqual(term({ field: 'newer_than', ms }));
  });

  it.each([
    ['after', '2024/03/10', 'after', Date.UTC(2024, 2, 10)],
    ['newer', '2024-3-1', 'after', Date.UTC(2024, 2, 1)],
    ['before', '12/31/2023', 'before', Date.UTC(2023, 11, 31)],
    ['older', '1700000000', 'before', 1_700_000_000_000],
    ['before', '2024/02/29', 'before', Date.UTC(2024, 1, 29)],
  ])('reads %s:%s as %s the start of that UTC day or second', (operator, value, field, at) => {
    expect(termFor(operator, value)).toEqual(term({ field: field as 'after' | 'before', at }));
  });

  it.each([
    ['larger', 'big'],
    ['larger', '-1'],
    ['smaller', '10T'],
    ['older_than', '1w'],
    ['older_than', 'd'],
    ['after', '2023/02/29'],
    ['after', '2024/13/01'],
    ['before', 'yesterday'],
    ['category', 'spam'],
    ['is', 'bogus'],
    ['has', 'drive'],
  ])('reads %s:%s as the plain word', (operator, value) => {
    expect(termFor(operator, value)).toEqual(
      term({ field: 'text', value: `${operator}:${value}`.toLowerCase() }),
    );
  });

  it('resolves system label names to ids and leaves other names for the account', () => {
    expect(termFor('label', 'Inbox')).toEqual(term({ field: 'label', id: 'INBOX' }));
    expect(termFor('in', 'drafts')).toEqual(term({ field: 'label', id: 'DRAFT' }));
    expect(termFor('label', 'Travel-2024')).toEqual(
      term({ field: 'userLabel', name: 'travel-2024' }),
    );
    expect(termFor('in', 'anywhere')).toEqual(term({ field: 'anywhere' }));
  });

  it('is not fooled by names inherited from Object.prototype', () => {
    expect(termFor('label', 'constructor')).toEqual(
      term({ field: 'userLabel', name: 'constructor' }),
    );
    expect(termFor('category', '__proto__')).toEqual(
      term({ field: 'text', value: 'category:__proto__' }),
    );
  });

  it('drops empty values', () => {
    expect(termFor('subject', '   ')).toBeUndefined();
    expect(termFor('text', '')).toBeUndefined();
  });
});
