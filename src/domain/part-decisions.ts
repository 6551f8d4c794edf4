import type { Policy, SenderDecision } from './model.js';
import type { PartDecision } from './ports.js';
import type { PartitionFacts } from './scan-partitions.js';

/**
 * A classifier that reads text may decide a whole part of the mailbox (a category, important
 * or not, older than the minimum age or not) from those facts alone, where they settle it for
 * every sender: then none of the part's mail is read. The decisions are cached with the
 * sender decisions, under keys no sender key can take (a sender key holds an address).
 */

export const PART_PREFIX = 'part:';

/** The key of a part with these facts, as scan-partitions.ts names it. */
export function partKey(facts: PartitionFacts): string {
  const importance = facts.important ? 'important' : 'normal';
  return `${facts.category ?? 'none'}:${importance}:${facts.old ? 'old' : 'recent'}`;
}

/** A part decided from its facts: every message of it goes to Trash, or is kept. */
export interface PartVerdict {
  readonly action: 'trash' | 'keep';
  readonly reason: string;
}

/**
 * Categories whose mail may go to Trash unread, by part: promotions and social notifications.
 * Updates hold receipts, bills and statements, forums the owner's lists, Primary people's mail:
 * their senders are always looked at before anything goes to Trash.
 */
const TRASHABLE = new Set(['promotions', 'social']);

/**
 * What the plan may act on, whatever the classifier answered: a keep always; a trash only for
 * promotions or social mail Gmail did not mark important (important mail is judged on its
 * own); anything else means looking at the senders.
 */
export function safePartDecision(
  facts: PartitionFacts,
  decision: PartDecision | undefined,
): PartVerdict | undefined {
  if (!decision || decision.action === 'senders') return undefined;
  const verdict = { action: decision.action, reason: decision.reason };
  if (verdict.action === 'keep') return verdict;
  const trashable = TRASHABLE.has(facts.category ?? 'none') && facts.important === false;
  return trashable ? verdict : undefined;
}

/** A part's decision as a cached sender decision (`mixed` stands for `senders`). */
export function toSenderDecision(
  key: string,
  decision: PartDecision,
  policy: Policy,
  now: number,
): SenderDecision {
  return {
    senderKey: `${PART_PREFIX}${key}`,
    action: decision.action === 'senders' ? 'mixed' : decision.action,
    reason: decision.reason,
    policyVersion: policy.version,
    decidedAt: now,
  };
}

/** A cached part decision back as what it decided. */
export function fromSenderDecision(decision: SenderDecision): PartDecision {
  return {
    action: decision.action === 'mixed' ? 'senders' : decision.action,
    reason: decision.reason,
  };
}

const CATEGORIES = ['promotions', 'social', 'updates', 'forums', 'personal', 'none'] as const;

/** The facts of every part a scan may have asked about, both ages. */
export function everyPartFacts(): PartitionFacts[] {
  return CATEGORIES.flatMap((category) =>
    [true, false].flatMap((important) =>
      [true, false].map((old) => ({ protectedBy: null, category, important, old })),
    ),
  );
}

/** What a scan decided of the part with these facts, under the current policy, if it may act. */
export function cachedPartVerdict(
  cached: ReadonlyMap<string, SenderDecision>,
  facts: PartitionFacts,
  policy: Policy,
): PartVerdict | undefined {
  const decision = cached.get(`${PART_PREFIX}${partKey(facts)}`);
  if (!decision || decision.policyVersion !== policy.version) return undefined;
  return safePartDecision(facts, fromSenderDecision(decision));
}

/**
 * What a scan decided of the parts, for new mail of any age: by `category:importance`, only
 * where the decision holds whatever the age (both ages decided alike, or no minimum age, when
 * every message counts as old).
 */
export function agelessVerdicts(
  cached: ReadonlyMap<string, SenderDecision>,
  policy: Policy,
): Map<string, PartVerdict> {
  const verdict = (facts: PartitionFacts) => cachedPartVerdict(cached, facts, policy);
  const verdicts = new Map<string, PartVerdict>();
  for (const facts of everyPartFacts()) {
    if (!facts.old) continue;
    const old = verdict(facts);
    const recent = policy.minAgeDays > 0 ? verdict({ ...facts, old: false }) : old;
    if (old && recent && old.action === recent.action) {
      verdicts.set(`${facts.category}:${facts.important}`, recent);
    }
  }
  return verdicts;
}
