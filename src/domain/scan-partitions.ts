/**
 * The scan by sender splits the mailbox into disjoint parts that Gmail search can list: every
 * message outside Spam and Trash (and older than the run's start) falls in exactly one part,
 * and each part says what is known of its messages without reading them: which protection
 * rule holds, or the category, whether Gmail marked it important, and whether it is old.
 *
 * Disjointness comes from negation: part i excludes the terms of every part before it.
 */

export const CATEGORIES = [
  'promotions',
  'social',
  'updates',
  'forums',
  'personal',
  'none',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface PartitionFacts {
  /** The protection rule that holds for every message of the part, or null. */
  readonly protectedBy: string | null;
  readonly category: Category | null;
  readonly important: boolean | null;
  /** Older than the policy's minimum age at the run's start. */
  readonly old: boolean | null;
}

export interface Partition {
  readonly key: string;
  readonly query: string;
  readonly facts: PartitionFacts;
}

export interface PartitionOptions {
  readonly keepSenders: readonly string[];
  /** Epoch ms of the run's start: later mail is left to the history sync. */
  readonly startedAt: number;
  readonly minAgeDays: number;
}

const CATEGORY_TERMS: Readonly<Record<Exclude<Category, 'none'>, string>> = {
  promotions: 'category:promotions',
  social: 'category:social',
  updates: 'category:updates',
  forums: 'category:forums',
  personal: 'category:primary',
};

/** Epoch seconds below which a message counts as old; whole seconds so search can say it. */
export function oldBefore(startedAt: number, minAgeDays: number): number {
  return Math.floor((startedAt - minAgeDays * 86_400_000) / 1000);
}

export function scanPartitions(options: PartitionOptions): Partition[] {
  const scope = `before:${Math.floor(options.startedAt / 1000)}`;
  const parts: Partition[] = [];
  const excluded: string[] = [];
  // Marks (stars, labels, sent, drafts, chats, snoozed) are no search facts here: they come
  // from exact label listings before any part is planned, and protect whole conversations.
  // Search is left what it is good at: sender, category, age. The keep-list is a sender fact.
  const protections: (readonly [string, string, string])[] = [];
  const keep = keepListQuery(options.keepSenders);
  if (keep) protections.push(['kept', keep, 'sender on your keep-list']);

  for (const [key, term, reason] of protections) {
    parts.push({
      key: `protected:${key}`,
      query: [scope, term, ...excluded.map(not)].join(' '),
      facts: { protectedBy: reason, category: null, important: null, old: null },
    });
    excluded.push(term);
  }

  const old = `before:${oldBefore(options.startedAt, options.minAgeDays)}`;
  const earlierCategories: string[] = [];
  for (const category of CATEGORIES) {
    const term = category === 'none' ? null : CATEGORY_TERMS[category];
    const categoryTerms = [...(term ? [term] : []), ...earlierCategories.map(not)];
    if (term) earlierCategories.push(term);
    for (const important of [true, false]) {
      for (const isOld of [true, false]) {
        parts.push({
          key: `${category}:${important ? 'important' : 'normal'}:${isOld ? 'old' : 'recent'}`,
          query: [
            scope,
            ...excluded.map(not),
            ...categoryTerms,
            important ? 'is:important' : '-is:important',
            isOld ? old : not(old),
          ].join(' '),
          facts: { protectedBy: null, category, important, old: isOld },
        });
      }
    }
  }
  return parts;
}

function not(term: string): string {
  return /\s/.test(term) ? `-(${term})` : `-${term}`;
}

/** `{from:a from:b}`: any keep-list sender. Over-matching only protects more. */
export function keepListQuery(keepSenders: readonly string[]): string | null {
  const entries = keepSenders
    .map((entry) => entry.trim().toLowerCase().replace(/^@/, ''))
    .filter((entry) => /^[a-z0-9._%+@-]+$/.test(entry));
  if (entries.length === 0) return null;
  return `{${entries.map((entry) => `from:${entry}`).join(' ')}}`;
}
