/**
 * The scan by sender splits the mailbox into disjoint parts that Gmail search can list: every
 * message outside Spam and Trash falls in exactly one part,
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
  /** Epoch ms of the run's start, by the service's clock: what "old" is measured from. */
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

/**
 * The parts have no upper date bound: the history cursor the plan captured, not a clock, is
 * where syncs take over. Google's clock and the service's differ, and `before:` has whole
 * seconds, so a bound at the run's start would leave mail of its last moments to nobody.
 * Mail that arrives while the parts are listed may be decided twice, which is harmless.
 */
export function scanPartitions(options: PartitionOptions): Partition[] {
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
      query: [term, ...excluded.map(not)].join(' '),
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

/**
 * `{from:a from:"o'b@c.example"}`: any keep-list sender. An entry with characters a bare
 * search word would split at (an apostrophe, non-ASCII letters) is quoted; one that cannot be
 * quoted either (a quote mark, a space) is searched for by its domain. Over-matching only
 * protects more; an entry left out would leave its mail to the classifier unread.
 */
export function keepListQuery(keepSenders: readonly string[]): string | null {
  const terms = keepSenders.flatMap((raw) => {
    const entry = raw.trim().toLowerCase().replace(/^@/, '');
    const term = fromTerm(entry) ?? fromTerm(entry.slice(entry.lastIndexOf('@') + 1));
    return term ? [term] : [];
  });
  if (terms.length === 0) return null;
  return `{${terms.join(' ')}}`;
}

const BARE = /^[a-z0-9._%+@-]+$/;
/** What a quoted search phrase may hold: no quote mark, backslash, space or control character. */
const QUOTABLE = /^[^"\\\s\p{Cc}]+$/u;

function fromTerm(entry: string): string | undefined {
  if (entry === '') return undefined;
  if (BARE.test(entry)) return `from:${entry}`;
  return QUOTABLE.test(entry) ? `from:"${entry}"` : undefined;
}
