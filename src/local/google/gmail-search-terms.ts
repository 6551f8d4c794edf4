/**
 * Turns one `operator:value` of a Gmail query into a term the matcher can test without further
 * parsing: sizes in bytes, dates in epoch milliseconds, system labels as ids, text lowercased.
 */
import type { QueryNode } from './gmail-search-parse.js';

/** A leaf test against one message. Text values are lowercased and whitespace-collapsed. */
export type Term =
  | {
      readonly field: 'text' | 'from' | 'to' | 'subject' | 'list' | 'filename' | 'rfc822msgid';
      readonly value: string;
    }
  | { readonly field: 'label'; readonly id: string }
  | { readonly field: 'userLabel'; readonly name: string }
  | { readonly field: 'larger' | 'smaller'; readonly bytes: number }
  | { readonly field: 'after' | 'before'; readonly at: number }
  | { readonly field: 'older_than' | 'newer_than'; readonly ms: number }
  | { readonly field: 'attachment' | 'userLabels' | 'snoozed' | 'anywhere' | 'nothing' };

const OPERATORS = new Set([
  'from',
  'to',
  'subject',
  'label',
  'category',
  'in',
  'is',
  'has',
  'larger',
  'smaller',
  'size',
  'older_than',
  'newer_than',
  'after',
  'before',
  'older',
  'newer',
  'list',
  'rfc822msgid',
  'filename',
]);

const SYSTEM_LABELS = new Map([
  ['inbox', 'INBOX'],
  ['sent', 'SENT'],
  ['starred', 'STARRED'],
  ['important', 'IMPORTANT'],
  ['unread', 'UNREAD'],
  ['trash', 'TRASH'],
  ['spam', 'SPAM'],
  ['draft', 'DRAFT'],
  ['drafts', 'DRAFT'],
  ['chat', 'CHAT'],
  ['chats', 'CHAT'],
]);

const CATEGORIES = new Map([
  // `category:personal` is not a documented operator: Gmail reads it as plain words.
  ['primary', 'CATEGORY_PERSONAL'],
  ['social', 'CATEGORY_SOCIAL'],
  ['promotions', 'CATEGORY_PROMOTIONS'],
  ['updates', 'CATEGORY_UPDATES'],
  ['forums', 'CATEGORY_FORUMS'],
]);

const DAY = 86_400_000;
/** Gmail does not say how long its `m` and `y` are; a month is 30 days and a year 365 here. */
const AGE_UNITS = new Map([
  ['d', DAY],
  ['m', 30 * DAY],
  ['y', 365 * DAY],
]);
/** Size suffixes are binary: `larger:10M` is 10 × 1024 × 1024 bytes. */
const SIZE_UNITS = new Map([
  ['', 1],
  ['k', 1024],
  ['m', 1024 ** 2],
  ['g', 1024 ** 3],
]);

const SIZE = /^(\d+(?:\.\d+)?)([kmg]?)b?$/;
const AGE = /^(\d+)([dmy])$/;
const YEAR_FIRST = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/;
const MONTH_FIRST = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const EPOCH_SECONDS = /^\d{1,12}$/;
const SPACES = /\s+/gu;
const ANGLES = /^<|>$/g;
const PLUS = /^\+/;

export function isOperator(name: string): boolean {
  return OPERATORS.has(name);
}

/** A bare word: `+word` (Gmail's exact-word marker) is read as the word. */
export function wordTerm(word: string): QueryNode | undefined {
  return termFor('text', word.replace(PLUS, ''));
}

/** Folds double negation so `--a` is `a`. */
export function negate(node: QueryNode): QueryNode {
  return node.type === 'not' ? node.child : { type: 'not', child: node };
}

/** The node for `operator:value`; a value the operator cannot read degrades to a plain word. */
export function termFor(operator: string, raw: string): QueryNode | undefined {
  const value = raw.trim().replace(SPACES, ' ').toLowerCase();
  if (value === '') return undefined;
  const node = valueTerm(operator, value);
  return node ?? term({ field: 'text', value: `${operator}:${value}` });
}

function valueTerm(operator: string, value: string): QueryNode | undefined {
  switch (operator) {
    case 'text':
    case 'subject':
    case 'filename':
      return term({ field: operator, value });
    // The simulated mailbox has one user, and what they wrote is what carries SENT.
    case 'from':
      return value === 'me' ? label('SENT') : term({ field: 'from', value });
    case 'to':
      return value === 'me' ? negate(label('SENT')) : term({ field: 'to', value });
    case 'list':
    case 'rfc822msgid':
      return term({ field: operator, value: value.replace(ANGLES, '') });
    case 'label':
      return systemLabel(value) ?? term({ field: 'userLabel', name: value });
    case 'in':
      if (value === 'anywhere') return term({ field: 'anywhere' });
      if (value === 'snoozed') return term({ field: 'snoozed' });
      return systemLabel(value) ?? term({ field: 'userLabel', name: value });
    case 'category': {
      const id = CATEGORIES.get(value);
      return id === undefined ? undefined : label(id);
    }
    case 'is':
      return isTerm(value);
    case 'has':
      return hasTerm(value);
    case 'larger':
    case 'size':
    case 'smaller': {
      const bytes = parseSize(value);
      if (bytes === undefined) return undefined;
      return term({ field: operator === 'smaller' ? 'smaller' : 'larger', bytes });
    }
    case 'older_than':
    case 'newer_than': {
      const match = AGE.exec(value);
      if (!match) return undefined;
      return term({ field: operator, ms: Number(match[1]) * AGE_UNITS.get(match[2]!)! });
    }
    case 'after':
    case 'newer':
    case 'before':
    case 'older': {
      const at = parseDate(value);
      if (at === undefined) return undefined;
      return term({ field: operator === 'after' || operator === 'newer' ? 'after' : 'before', at });
    }
    default:
      return undefined;
  }
}

function isTerm(value: string): QueryNode | undefined {
  switch (value) {
    case 'read':
      return negate(label('UNREAD'));
    case 'starred':
    case 'unread':
    case 'important':
    case 'chat':
      return systemLabel(value);
    case 'snoozed':
      return term({ field: 'snoozed' });
    // The simulator keeps no mute state, so nothing is muted.
    case 'muted':
      return term({ field: 'nothing' });
    default:
      return undefined;
  }
}

function hasTerm(value: string): QueryNode | undefined {
  switch (value) {
    case 'attachment':
      return term({ field: 'attachment' });
    case 'userlabels':
      return term({ field: 'userLabels' });
    case 'nouserlabels':
      return negate(term({ field: 'userLabels' }));
    default:
      return undefined;
  }
}

function parseSize(value: string): number | undefined {
  const match = SIZE.exec(value);
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * SIZE_UNITS.get(match[2]!)!);
}

/**
 * Epoch milliseconds of the start of the day (or of the second, for epoch seconds). Days are
 * read in UTC, so tests do not depend on the machine's zone; real Gmail reads them in Pacific time.
 */
function parseDate(value: string): number | undefined {
  if (EPOCH_SECONDS.test(value)) return Number(value) * 1000;
  const yearFirst = YEAR_FIRST.exec(value);
  if (yearFirst) return utcDay(yearFirst[1]!, yearFirst[2]!, yearFirst[3]!);
  const monthFirst = MONTH_FIRST.exec(value);
  if (monthFirst) return utcDay(monthFirst[3]!, monthFirst[1]!, monthFirst[2]!);
  return undefined;
}

function utcDay(year: string, month: string, day: string): number | undefined {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  const at = Date.UTC(y, m - 1, d);
  const date = new Date(at);
  // Date.UTC rolls 2024/02/30 over into March; Gmail would not read it as a date.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return undefined;
  }
  return at;
}

function systemLabel(name: string): QueryNode | undefined {
  const id = SYSTEM_LABELS.get(name);
  return id === undefined ? undefined : label(id);
}

function label(id: string): QueryNode {
  return term({ field: 'label', id });
}

function term(t: Term): QueryNode {
  return { type: 'term', term: t };
}
