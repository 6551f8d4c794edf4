import type { MessageMeta } from './message.js';
import type { Policy, SenderDecision } from './model.js';
import { onKeepList } from './protection.js';
import { categoryOf, isCurrent, senderKey } from './sender-groups.js';

/**
 * New mail from a sender already decided need not be read: a Gmail search over the decided
 * senders (`{from:a from:b}`, 5 units for up to 500 ids) tells which new ids are theirs, where
 * reading each would cost 20 units. The LLM classifier's cached sender decisions serve as they
 * are; for the rules, whose verdict on bulk mail depends on the sender's unsubscribe link
 * (besides category, importance and age, which labels and search give), the sender's last
 * read message is remembered under its own key prefix, so the two never mix.
 */

/** Key prefix of the senders the rules remembered; the LLM's decisions have none. */
export const RULES_PREFIX = 'rules:';

/**
 * Categories whose mail can be attributed by search: each has an exact Gmail label id. Primary
 * is the category of people's mail; its decided senders are the LLM's (bulk senders filed
 * there, and the people the owner replied to, see correspondents.ts); the rules decide none.
 */
export const CATEGORY_LABELS = {
  promotions: 'CATEGORY_PROMOTIONS',
  social: 'CATEGORY_SOCIAL',
  updates: 'CATEGORY_UPDATES',
  forums: 'CATEGORY_FORUMS',
  primary: 'CATEGORY_PERSONAL',
} as const;
export type SearchableCategory = keyof typeof CATEGORY_LABELS;

/** Categories where the rules judge the sender (elsewhere they keep whoever sent it). */
const RULES_CATEGORIES = new Set(['promotions', 'social']);

/** Addresses a `from:` term can carry without quoting. */
const SEARCHABLE_ADDRESS = /^[^\s"(){}|]+@[^\s"(){}|]+$/;

export function senderPrefix(classifierReadsText: boolean): string {
  return classifierReadsText ? '' : RULES_PREFIX;
}

/**
 * What the rules learn of senders from mail they read: a bulk sender of promotions or social
 * mail with an unsubscribe link is one whose unimportant mail they trash once old enough (a
 * `trash` decision), one without is kept (`keep`); a sender seen both ways is `mixed`.
 */
export function rulesSenderDecisions(
  messages: readonly MessageMeta[],
  policy: Policy,
  now: number,
): SenderDecision[] {
  const byKey = new Map<string, SenderDecision>();
  for (const message of messages) {
    if (!SEARCHABLE_ADDRESS.test(message.fromAddress)) continue;
    if (!RULES_CATEGORIES.has(categoryOf(message))) continue;
    const key = `${RULES_PREFIX}${senderKey(message)}`;
    const action = message.listUnsubscribe ? 'trash' : 'keep';
    const seen = byKey.get(key);
    byKey.set(key, {
      senderKey: key,
      action: seen && seen.action !== action ? 'mixed' : action,
      reason: message.listUnsubscribe ? 'has an unsubscribe link' : 'no unsubscribe link',
      policyVersion: policy.version,
      decidedAt: now,
    });
  }
  return [...byKey.values()];
}

/** Decided addresses of one category, by what was decided. */
export interface DecidedSenders {
  readonly trash: readonly string[];
  readonly keep: readonly string[];
}

/**
 * The decisions a search may attribute mail to: current for the policy, trash or keep (a
 * mixed sender's mail is read), in a searchable category, with an address search can name,
 * and never a keep-listed sender (whose mail must be recognised by its address, which an
 * attributed message does not carry).
 */
export function decidedSenders(
  decisions: readonly SenderDecision[],
  prefix: string,
  policy: Policy,
): Map<SearchableCategory, DecidedSenders> {
  const found = new Map<SearchableCategory, { trash: string[]; keep: string[] }>();
  for (const decision of decisions) {
    if (!decision.senderKey.startsWith(prefix) || !isCurrent(decision, policy)) continue;
    if (prefix === '' && decision.senderKey.startsWith(RULES_PREFIX)) continue;
    if (decision.action === 'mixed') continue;
    const key = decision.senderKey.slice(prefix.length);
    const bar = key.lastIndexOf('|');
    const address = key.slice(0, bar);
    const category = key.slice(bar + 1);
    if (!(category in CATEGORY_LABELS) || !SEARCHABLE_ADDRESS.test(address)) continue;
    if (onKeepList(address, policy.keepSenders)) continue;
    const entry = found.get(category as SearchableCategory) ?? { trash: [], keep: [] };
    entry[decision.action].push(address);
    found.set(category as SearchableCategory, entry);
  }
  return found;
}

/** `{from:a from:b ...}` terms of at most `perTerm` addresses each. */
export function fromTerms(addresses: readonly string[], perTerm: number): string[] {
  const terms: string[] = [];
  for (let start = 0; start < addresses.length; start += perTerm) {
    const chunk = addresses.slice(start, start + perTerm);
    terms.push(`{${chunk.map((address) => `from:${address}`).join(' ')}}`);
  }
  return terms;
}

const FROM_ADDRESS = /from:([^\s{}]+)/g;

/** The addresses a `{from:a from:b ...}` term names, lowercased. */
export function addressesOf(term: string): string[] {
  return [...term.matchAll(FROM_ADDRESS)].map((m) => m[1]!.toLowerCase());
}

/** The category a message's labels put it in, or null outside the searchable ones. */
export function searchableCategory(labelIds: readonly string[]): SearchableCategory | null {
  for (const [category, label] of Object.entries(CATEGORY_LABELS)) {
    if (labelIds.includes(label)) return category as SearchableCategory;
  }
  return null;
}
