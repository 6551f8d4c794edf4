import type { MessageMeta } from './message.js';
import type { Policy, SenderDecision } from './model.js';
import type { ClassifierAnswer } from './ports.js';
import { onKeepList } from './protection.js';

/**
 * How an LLM classifier spends few calls: bulk mail is decided once per sender (and Gmail
 * category) from a few samples, and that decision is cached; only personal mail, mail from
 * mixed senders and important mail from a disposable sender are judged one by one.
 */

export type Category = 'promotions' | 'social' | 'updates' | 'forums' | 'primary';

const CATEGORIES: Readonly<Record<string, Category>> = {
  CATEGORY_PROMOTIONS: 'promotions',
  CATEGORY_SOCIAL: 'social',
  CATEGORY_UPDATES: 'updates',
  CATEGORY_FORUMS: 'forums',
};

/** Local parts that machines send from. */
const AUTOMATED =
  /^(no-?reply|do-?not-?reply|notifications?|notify|newsletters?|news|digest|alerts?|updates?|marketing|deals|offers|promo(tions)?|mailer|receipts?|orders?|billing)([+._-].*)?$/;

export function categoryOf(message: MessageMeta): Category {
  for (const id of message.labelIds) {
    const category = CATEGORIES[id];
    if (category) return category;
  }
  return 'primary';
}

/** Mail a machine sent to many people: list headers, a bulk category, or an automated address. */
export function isBulk(message: MessageMeta): boolean {
  if (!message.fromAddress) return false;
  if (message.listUnsubscribe || message.listId !== null) return true;
  const category = categoryOf(message);
  if (category === 'promotions' || category === 'social' || category === 'forums') return true;
  return AUTOMATED.test(message.fromAddress.slice(0, message.fromAddress.indexOf('@')));
}

/**
 * A sender's key: address and category, so a bank's promotions and its statements (which
 * Gmail files under different categories) get separate decisions.
 */
export function senderKey(message: MessageMeta): string {
  return `${message.fromAddress}|${categoryOf(message)}`;
}

export interface SenderSplit {
  /** On the user's keep-list: kept without asking anyone. */
  readonly keepListed: readonly MessageMeta[];
  /** Bulk mail by sender key. */
  readonly groups: ReadonlyMap<string, readonly MessageMeta[]>;
  /** Everything else, judged one by one. */
  readonly individual: readonly MessageMeta[];
}

export function splitBySender(messages: readonly MessageMeta[], policy: Policy): SenderSplit {
  const keepListed: MessageMeta[] = [];
  const groups = new Map<string, MessageMeta[]>();
  const individual: MessageMeta[] = [];
  for (const message of messages) {
    if (onKeepList(message.fromAddress, policy.keepSenders)) keepListed.push(message);
    else if (!isBulk(message)) individual.push(message);
    else {
      const key = senderKey(message);
      const group = groups.get(key);
      if (group) group.push(message);
      else groups.set(key, [message]);
    }
  }
  return { keepListed, groups, individual };
}

/** A cached decision counts only for the policy it was made under. */
export function isCurrent(decision: SenderDecision | undefined, policy: Policy): boolean {
  return decision !== undefined && decision.policyVersion === policy.version;
}

export interface Routed {
  readonly answers: readonly (readonly [string, ClassifierAnswer])[];
  readonly individual: readonly MessageMeta[];
}

/**
 * Applies a sender decision to that sender's messages: keep and trash answer them all, except
 * that important mail from a disposable sender and all mail of a mixed sender are judged one
 * by one.
 */
export function routeByDecision(
  messages: readonly MessageMeta[],
  decision: SenderDecision,
): Routed {
  if (decision.action === 'mixed') return { answers: [], individual: messages };
  const reason = `LLM, sender: ${decision.reason}`;
  if (decision.action === 'keep') {
    return { answers: messages.map((m) => [m.id, { action: 'keep', reason }]), individual: [] };
  }
  const important = messages.filter((m) => m.labelIds.includes('IMPORTANT'));
  const rest = messages.filter((m) => !m.labelIds.includes('IMPORTANT'));
  return { answers: rest.map((m) => [m.id, { action: 'trash', reason }]), individual: important };
}

/** Up to `count` subjects that differ by more than their numbers, newest first. */
export function sampleSubjects(messages: readonly MessageMeta[], count: number): string[] {
  const seen = new Set<string>();
  const samples: string[] = [];
  const newestFirst = [...messages].sort((a, b) => b.internalDate - a.internalDate);
  for (const message of newestFirst) {
    const shape = message.subject.toLowerCase().replace(/\d+/g, '#');
    if (seen.has(shape)) continue;
    seen.add(shape);
    samples.push(message.subject);
    if (samples.length >= count) break;
  }
  return samples;
}
