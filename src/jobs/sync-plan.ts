import {
  addressesOf,
  CATEGORY_LABELS,
  decidedSenders,
  fromTerms,
  type SearchableCategory,
  searchableCategory,
  senderPrefix,
} from '../domain/known-senders.js';
import { SearchRefused } from '../domain/mailbox-errors.js';
import { unreadMeta } from '../domain/message.js';
import type { PlannedBatch, User } from '../domain/model.js';
import {
  agelessVerdicts,
  everyPartFacts,
  PART_PREFIX,
  type PartVerdict,
  partKey,
} from '../domain/part-decisions.js';
import type { Classifier, HistoryPage, Mailbox } from '../domain/ports.js';
import { protectionReason } from '../domain/protection.js';
import { keepListQuery, oldBefore, type PartitionFacts } from '../domain/scan-partitions.js';
import { protectionContext } from './conversation-marks.js';
import type { JobDeps } from './job-deps.js';
import { chunked, factsCategory } from './sync-batches.js';
import { fromCheckNeeded, verifiedSenders } from './verify-senders.js';

type Added = HistoryPage['added'][number];

const DAY_S = 86_400;
/** Decided senders one search names; the query stays short enough for Gmail. */
const SENDERS_PER_SEARCH = 40;
/** The most recently decided senders a sync searches for; older ones' mail is read. */
const SENDERS_SEARCHED = 400;
/** Pages a search reads at most (500 ids each); whatever it did not reach is read. */
const PAGES_PER_SEARCH = 2;
const LIST_UNITS = 5;
const READ_UNITS = 20;

/** What a sync's run log says when Gmail refuses the search that attributes new mail to senders. */
export const SYNC_SEARCH_REFUSED_NOTE =
  'Gmail refused a search this sync uses to recognise senders: new mail was read message by message instead.';

/** The new mail as batches, and plain-words lines for the run's log. */
export interface SyncPlan {
  readonly batches: PlannedBatch[];
  readonly notes: readonly string[];
}

/**
 * What a sync can tell of new mail from history alone: labels are exact, so mail starred or
 * under a user label is protected, and a category decides for a classifier that would keep
 * its mail whoever sent it. Mail whose sender matters goes to the senders already decided by
 * search (one per category, decision and age; `from:{...}` between the last sync and now),
 * and only what no search attributes is read. The protection rules still apply per message
 * when each batch is decided. If Gmail refuses a search (400: an operator it does not take
 * here), the candidates are read, as before searches existed, and the notes say so.
 */
export async function planSync(
  deps: JobDeps,
  user: User,
  mailbox: Mailbox,
  added: readonly Added[],
): Promise<SyncPlan> {
  let classifier: Classifier;
  try {
    classifier = await deps.classifierFor(user);
  } catch {
    // A classifier that cannot work now (a rejected key) pauses the batches, which read.
    return { batches: chunked([{ ids: added, plan: undefined }]), notes: [] };
  }
  const scan = classifier.scanBySender;
  const readsText = scan?.readsText === true;
  // Labels, the conversations' marks and the keep-list (no address yet): the shared rules.
  const ctx = await protectionContext(deps.store, user, added);
  // Parts the full scan's classifier decided from their facts alone decide new mail too.
  const verdicts = readsText
    ? await partVerdicts(deps, user, added)
    : new Map<string, PartVerdict>();

  const groups = new Map<string, { ids: Added[]; plan: PlannedBatch['plan'] }>();
  const put = (key: string, message: Added, plan: PlannedBatch['plan']) => {
    const group = groups.get(key) ?? { ids: [], plan };
    group.ids.push(message);
    groups.set(key, group);
  };
  const toRead: Added[] = [];
  const candidates: { message: Added; facts: PartitionFacts; category: SearchableCategory }[] = [];
  const now = deps.clock.now();
  const cutoff = oldBefore(now, user.policy.minAgeDays);
  // The last sync's time, a day early: a message dated before it is read, never misjudged.
  const spanStart = Math.floor((user.cursor?.updatedAt ?? now) / 1000) - DAY_S;
  const oldWindow = cutoff > spanStart;

  for (const message of added) {
    const reason = protectionReason(
      unreadMeta(message.id, message.threadId, message.labelIds),
      ctx,
    );
    if (reason) {
      put(`protected:${reason}`, message, { kind: 'protected', reason });
      continue;
    }
    const category = factsCategory(message.labelIds);
    const important = message.labelIds.includes('IMPORTANT');
    const young: PartitionFacts = { protectedBy: null, category, important, old: false };
    const old: PartitionFacts = { ...young, old: true };
    const needs = scan ? scan.needsSender : () => true;
    const searchable = searchableCategory(message.labelIds);
    const verdict = verdicts.get(`${category}:${important}`);
    if (verdict) {
      put(`part:${category}:${important}`, message, {
        kind: 'known',
        facts: young,
        threadIds: [],
        action: verdict.action,
        reason: `by its Gmail category: ${verdict.reason}`,
      });
    } else if (!scan || scan.mustRead?.(young)) toRead.push(message);
    else if (!needs(young) && (!needs(old) || !oldWindow)) {
      // Whoever sent it, the classifier keeps it now (at this age, for the rules: the coming
      // of age pass looks again once it is old enough).
      put(`facts:${category}:${important}`, message, {
        kind: 'facts',
        facts: young,
        threadIds: [],
      });
    } else if (searchable) {
      // Important mail is attributed only to senders decided to keep (see attribute).
      candidates.push({ message, facts: young, category: searchable });
    } else toRead.push(message);
  }

  const span = { old: false, q: `after:${spanStart}` };
  const attributed = await attributeUnlessRefused(deps, user, mailbox, candidates, {
    prefix: senderPrefix(readsText),
    // The LLM's decisions hold at any age. The rules trash a disposable sender's mail only
    // once old enough (searched on each side of the cut-off), and keep the others' at any age.
    windows: {
      trash: readsText
        ? [span]
        : [
            ...(oldWindow ? [{ old: true, q: `after:${spanStart} before:${cutoff}` }] : []),
            ...(user.policy.minAgeDays > 0
              ? [{ old: false, q: `after:${Math.max(spanStart, cutoff)}` }]
              : []),
          ],
      keep: [span],
    },
  });
  for (const { message } of candidates) {
    const found = attributed === 'refused' ? undefined : attributed.get(message.id);
    if (found) put(found.key, message, found.plan);
    else toRead.push(message);
  }
  const batches = chunked([...groups.values(), { ids: toRead, plan: undefined }]);
  if (attributed !== 'refused') return { batches, notes: [] };
  deps.log.warn('search refused: the sync reads its candidates', { userId: user.id });
  return { batches, notes: [SYNC_SEARCH_REFUSED_NOTE] };
}

/**
 * The candidates' attributions, or `refused` when Gmail refuses one of the searches: then
 * none is kept (a partial attribution would be as good, but reading them all is what a sync
 * did before searches, and is simple to trust), and every candidate is read.
 */
async function attributeUnlessRefused(
  ...args: Parameters<typeof attribute>
): Promise<Awaited<ReturnType<typeof attribute>> | 'refused'> {
  try {
    return await attribute(...args);
  } catch (error) {
    if (error instanceof SearchRefused) return 'refused';
    throw error;
  }
}

/** The scan's part decisions for the categories and importance of the new mail only. */
async function partVerdicts(
  deps: JobDeps,
  user: User,
  added: readonly Added[],
): Promise<Map<string, PartVerdict>> {
  const present = new Set(
    added.map((m) => `${factsCategory(m.labelIds)}:${m.labelIds.includes('IMPORTANT')}`),
  );
  const keys = everyPartFacts()
    .filter((facts) => present.has(`${facts.category}:${facts.important}`))
    .map((facts) => `${PART_PREFIX}${partKey(facts)}`);
  if (keys.length === 0) return new Map();
  return agelessVerdicts(await deps.store.getSenderDecisions(user.id, keys), user.policy);
}

interface Window {
  readonly old: boolean;
  readonly q: string;
}

/**
 * Searches the decided senders of each category the candidates are in, per decision and age
 * window, and attributes the candidates it finds. No search is made that costs more than
 * reading the candidates it could attribute.
 */
async function attribute(
  deps: JobDeps,
  user: User,
  mailbox: Mailbox,
  candidates: readonly { message: Added; facts: PartitionFacts; category: SearchableCategory }[],
  options: { prefix: string; windows: Readonly<Record<'trash' | 'keep', readonly Window[]>> },
): Promise<Map<string, { key: string; plan: PlannedBatch['plan'] }>> {
  const found = new Map<string, { key: string; plan: PlannedBatch['plan'] }>();
  if (candidates.length === 0) return found;
  // Trash attributions that would go to Trash unread, with the senders their search named.
  const unverified = new Map<string, Set<string>>();
  const decisions = await deps.store.listSenderDecisions(user.id, SENDERS_SEARCHED);
  const senders = decidedSenders(decisions, options.prefix, user.policy);
  const keepList = keepListQuery(user.policy.keepSenders);
  // Never more units searching than reading every candidate would cost.
  let budget = candidates.length * READ_UNITS;
  const byCategory = new Map<SearchableCategory, typeof candidates>();
  for (const c of candidates)
    byCategory.set(c.category, [...(byCategory.get(c.category) ?? []), c]);

  for (const [category, members] of byCategory) {
    const decided = senders.get(category);
    if (!decided) continue;
    const pending = new Map(members.map((c) => [c.message.id, c]));
    for (const action of ['trash', 'keep'] as const) {
      // A keep-listed sender never counts as a disposable one, even by a display name.
      const exclude = action === 'trash' && keepList ? ` -${keepList}` : '';
      for (const window of options.windows[action]) {
        for (const term of fromTerms(decided[action], SENDERS_PER_SEARCH)) {
          if (pending.size === 0 || budget < LIST_UNITS) break;
          budget -= LIST_UNITS;
          const ids = await listSome(
            mailbox,
            `${term} ${window.q}${exclude}`,
            CATEGORY_LABELS[category],
          );
          for (const id of ids) {
            const candidate = pending.get(id);
            if (!candidate) continue;
            pending.delete(id);
            // Important mail of a disposable sender is judged on its own (read), as the LLM does.
            if (action === 'trash' && candidate.facts.important) continue;
            const facts = { ...candidate.facts, old: window.old };
            // Young mail is kept whoever sent it (the minimum age): only the rest is checked.
            const trashNow = action === 'trash' && (window.old || user.policy.minAgeDays <= 0);
            if (trashNow && fromCheckNeeded(category)) {
              unverified.set(id, new Set(addressesOf(term)));
            }
            found.set(id, {
              key: `known:${category}:${action}:${window.old}:${facts.important}`,
              plan: {
                kind: 'known',
                facts,
                threadIds: [],
                action,
                reason:
                  action === 'trash' ? 'a sender decided disposable' : 'a sender decided to keep',
              },
            });
          }
        }
      }
    }
  }
  const verified = await verifiedSenders(mailbox, unverified);
  for (const id of unverified.keys()) if (!verified.has(id)) found.delete(id);
  return found;
}

async function listSome(mailbox: Mailbox, q: string, label: string): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < PAGES_PER_SEARCH; page++) {
    const listed = await mailbox.listIds({ q, labelIds: [label], pageToken });
    ids.push(...listed.ids.map((m) => m.id));
    pageToken = listed.nextPageToken;
    if (!pageToken) break;
  }
  return ids;
}
