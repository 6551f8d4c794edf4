/**
 * Gmail search (`q`) for the simulated Gmail: `parseQuery` once per request, then `matchesQuery`
 * per message. All parsing happens up front; per message this only lowercases fields and compares.
 * Parsing lives in gmail-search-parse.ts (syntax) and gmail-search-terms.ts (operator values).
 */
import type { QueryNode } from './gmail-search-parse.js';
import type { Term } from './gmail-search-terms.js';
import type { SearchContext, SimMessage } from './sim-types.js';

export { parseQuery, type QueryNode } from './gmail-search-parse.js';

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** True when the message satisfies the query. */
export function matchesQuery(node: QueryNode, message: SimMessage, ctx: SearchContext): boolean {
  switch (node.type) {
    case 'and':
      for (const child of node.children) if (!matchesQuery(child, message, ctx)) return false;
      return true;
    case 'or':
      for (const child of node.children) if (matchesQuery(child, message, ctx)) return true;
      return false;
    case 'not':
      return !matchesQuery(node.child, message, ctx);
    case 'term':
      return matchesTerm(node.term, message, ctx);
  }
}

/**
 * True when the query itself asks for Trash or Spam (`in:trash`, `label:spam`, `in:anywhere`...)
 * outside a negation, so the list route must not exclude them by default.
 */
export function reachesSpamOrTrash(node: QueryNode): boolean {
  return reaches(node, true);
}

function reaches(node: QueryNode, positive: boolean): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.some((child) => reaches(child, positive));
    case 'not':
      return reaches(node.child, !positive);
    case 'term': {
      const { term } = node;
      if (!positive) return false;
      if (term.field === 'anywhere') return true;
      return term.field === 'label' && (term.id === 'TRASH' || term.id === 'SPAM');
    }
  }
}

function matchesTerm(term: Term, message: SimMessage, ctx: SearchContext): boolean {
  const { from } = message;
  switch (term.field) {
    case 'text':
      return matchesText(message, term.value);
    case 'from':
      return matchesFrom(from.address, from.name, term.value);
    case 'to':
      return message.to.some((address) => contains(address, term.value));
    case 'subject':
      return containsWord(message.subject, term.value);
    case 'list':
      return (
        (from.listId !== undefined && contains(from.listId, term.value)) ||
        (from.bulk && contains(from.address, term.value))
      );
    case 'filename':
      return message.attachments.some((name) => contains(name, term.value));
    case 'rfc822msgid':
      return stripAngles(message.messageIdHeader.toLowerCase()) === term.value;
    case 'label':
      return message.labelIds.includes(term.id);
    case 'userLabel': {
      const id = ctx.labelIdByName(term.name);
      return id !== undefined && message.labelIds.includes(id);
    }
    case 'userLabels':
      // The user's own labels only: star markers are system labels, whatever their look.
      return message.labelIds.some((id) => ctx.isUserLabel(id));
    case 'snoozed':
      return message.snoozed === true;
    case 'attachment':
      return message.attachments.length > 0;
    case 'larger':
      return message.sizeEstimate > term.bytes;
    case 'smaller':
      return message.sizeEstimate < term.bytes;
    case 'after':
      return message.internalDate >= term.at;
    case 'before':
      return message.internalDate < term.at;
    case 'older_than':
      return message.internalDate < ctx.now - term.ms;
    case 'newer_than':
      return message.internalDate >= ctx.now - term.ms;
    case 'anywhere':
      return true;
    case 'nothing':
      return false;
  }
}

function matchesText(message: SimMessage, value: string): boolean {
  return (
    contains(message.from.name, value) ||
    contains(message.from.address, value) ||
    message.to.some((address) => contains(address, value)) ||
    contains(message.subject, value) ||
    contains(message.snippet, value) ||
    message.attachments.some((name) => contains(name, value))
  );
}

const EDGE_AT = /^@+|@+$/g;

/**
 * Gmail's `from:` matches whole words of the From header, the display name included: `amazon`
 * and `amazon.com` find deals@amazon.com, `amaz` and `eals@amazon.com` do not. An `@` inside the
 * value asks for the whole address, which a display name may also hold ("'a@b.example' via
 * List" is found by `from:a@b.example`); an `@` at either end is dropped.
 */
function matchesFrom(address: string, name: string, value: string): boolean {
  const wanted = value.replace(EDGE_AT, '');
  if (wanted === '') return false;
  if (wanted.includes('@'))
    return address.toLowerCase() === wanted || containsAddress(name, wanted);
  return containsWord(address, wanted) || containsWord(name, wanted);
}

const ADDRESS_CHAR = /[\p{L}\p{N}_.+@-]/u;

/** A whole address inside free text: `a@b.example` is in "'a@b.example' via List", not in "xa@b.example". */
function containsAddress(text: string, address: string): boolean {
  const lower = text.toLowerCase();
  for (let at = lower.indexOf(address); at !== -1; at = lower.indexOf(address, at + 1)) {
    const before = lower[at - 1];
    const after = lower[at + address.length];
    if (before !== undefined && ADDRESS_CHAR.test(before)) continue;
    if (after !== undefined && ADDRESS_CHAR.test(after)) continue;
    return true;
  }
  return false;
}

/** `needle` is already lowercase. */
function contains(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle);
}

/** `needle` occurs in `haystack` as whole words: `dinner` is in "Dinner, 8pm" but not "dinners". */
function containsWord(haystack: string, needle: string): boolean {
  if (needle === '') return true;
  const text = haystack.toLowerCase();
  const edgeBefore = WORD_CHAR.test(needle[0] ?? '');
  const edgeAfter = WORD_CHAR.test(needle[needle.length - 1] ?? '');
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const end = at + needle.length;
    if (edgeBefore && at > 0 && WORD_CHAR.test(text[at - 1]!)) continue;
    if (edgeAfter && end < text.length && WORD_CHAR.test(text[end]!)) continue;
    return true;
  }
  return false;
}

function stripAngles(id: string): string {
  const start = id.startsWith('<') ? 1 : 0;
  return id.endsWith('>') ? id.slice(start, -1) : id.slice(start);
}
