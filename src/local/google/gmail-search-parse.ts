/**
 * Gmail's search language (`q`), parsed once into a tree that `matchesQuery` walks per message.
 *
 * Precedence follows Gmail: `OR` binds tighter than the implicit AND, so `a b OR c` is
 * `a AND (b OR c)`. Parsing is total: whatever Gmail would read as plain words (unknown
 * operators, stray brackets, a lone `-`, `OR` with nothing beside it) is read that way or dropped.
 */
import { isOperator, negate, type Term, termFor, wordTerm } from './gmail-search-terms.js';

export type QueryNode =
  | { readonly type: 'and'; readonly children: readonly QueryNode[] }
  | { readonly type: 'or'; readonly children: readonly QueryNode[] }
  | { readonly type: 'not'; readonly child: QueryNode }
  | { readonly type: 'term'; readonly term: Term };

type Token =
  | { readonly kind: 'word' | 'phrase'; readonly text: string }
  /** `value` is absent when the value follows as its own token: a phrase, `(...)` or `{...}`. */
  | { readonly kind: 'op'; readonly name: string; readonly value?: string }
  | { readonly kind: '(' | ')' | '{' | '}' | '-' | 'OR' | 'AND' };

type Closer = ')' | '}' | undefined;

/** Deeper brackets are read as if absent, so no input can exhaust the stack. */
const MAX_DEPTH = 32;
const SPACE = /\s/u;
const BREAKS = new Set(['(', ')', '{', '}', '"']);

/** Parses a Gmail search query. Never throws; an empty query matches everything. */
export function parseQuery(q: string): QueryNode {
  const tokens = lex(typeof q === 'string' ? q : '');
  let pos = 0;

  function sequence(field: string | undefined, depth: number, closer: Closer): QueryNode {
    const children: QueryNode[] = [];
    for (let t = tokens[pos]; t !== undefined && t.kind !== closer; t = tokens[pos]) {
      if (t.kind === ')' || t.kind === '}' || t.kind === 'OR' || t.kind === 'AND') {
        pos++;
        continue;
      }
      const node = disjunction(field, depth);
      if (node) children.push(node);
    }
    if (closer === '}') return combine('or', children);
    return combine('and', children);
  }

  function disjunction(field: string | undefined, depth: number): QueryNode | undefined {
    const first = unary(field, depth);
    const options = first ? [first] : [];
    while (tokens[pos]?.kind === 'OR') {
      pos++;
      const next = unary(field, depth);
      if (next) options.push(next);
    }
    return options.length === 0 ? undefined : combine('or', options);
  }

  function unary(field: string | undefined, depth: number): QueryNode | undefined {
    let negated = false;
    while (tokens[pos]?.kind === '-') {
      pos++;
      negated = !negated;
    }
    const node = primary(field, depth);
    return node && negated ? negate(node) : node;
  }

  function primary(field: string | undefined, depth: number): QueryNode | undefined {
    const t = tokens[pos];
    if (t === undefined) return undefined;
    switch (t.kind) {
      case '(':
      case '{': {
        pos++;
        if (depth >= MAX_DEPTH) return undefined;
        const closer = t.kind === '(' ? ')' : '}';
        const inner = sequence(field, depth + 1, closer);
        if (tokens[pos]?.kind === closer) pos++;
        return isEmpty(inner) ? undefined : inner;
      }
      case 'word':
        pos++;
        return field === undefined ? wordTerm(t.text) : termFor(field, t.text);
      case 'phrase':
        pos++;
        return termFor(field ?? 'text', t.text);
      case 'op':
        pos++;
        return t.value === undefined ? primary(t.name, depth) : termFor(t.name, t.value);
      default:
        return undefined;
    }
  }

  return sequence(undefined, 0, undefined);
}

function combine(type: 'and' | 'or', children: QueryNode[]): QueryNode {
  return children.length === 1 ? children[0]! : { type, children };
}

function isEmpty(node: QueryNode): boolean {
  return (node.type === 'and' || node.type === 'or') && node.children.length === 0;
}

function lex(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (SPACE.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '{' || c === '}') {
      tokens.push({ kind: c });
      i++;
    } else if (c === '"') {
      const close = q.indexOf('"', i + 1);
      const end = close === -1 ? q.length : close;
      tokens.push({ kind: 'phrase', text: q.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '-') {
      // A `-` with nothing after it negates nothing; Gmail ignores it.
      const next = q[i + 1];
      if (next !== undefined && !SPACE.test(next)) tokens.push({ kind: '-' });
      i++;
    } else {
      let end = i + 1;
      while (end < q.length && !SPACE.test(q[end]!) && !BREAKS.has(q[end]!)) end++;
      tokens.push(wordToken(q.slice(i, end), q[end]));
      i = end;
    }
  }
  return tokens;
}

function wordToken(word: string, next: string | undefined): Token {
  if (word === 'OR' || word === 'AND') return { kind: word };
  const colon = word.indexOf(':');
  const name = word.slice(0, colon).toLowerCase();
  if (colon > 0 && isOperator(name)) {
    const value = word.slice(colon + 1);
    if (value !== '') return { kind: 'op', name, value };
    if (next === '"' || next === '(' || next === '{') return { kind: 'op', name };
  }
  return { kind: 'word', text: word };
}
