import { eachAtMost } from '../domain/each-at-most.js';
import { LabelUnknown } from '../domain/mailbox-errors.js';
import type { MessageMeta } from '../domain/message.js';
import { STAR_MARKER_IDS, SYSTEM_LABEL_IDS } from '../domain/message.js';
import type { User } from '../domain/model.js';
import type { IdPage, LabelInfo, Mailbox, MarkingLabel, Store } from '../domain/ports.js';
import {
  type ConversationMark,
  markOfLabels,
  type ProtectionContext,
  strongestMark,
} from '../domain/protection.js';
import { listSnoozed, SNOOZED_QUERY } from './snoozed-mail.js';

/** Marking system labels, in the order their marks rank. */
const SYSTEM_MARKS: readonly MarkingLabel[] = [
  { id: 'STARRED', mark: 'starred' },
  { id: 'SENT', mark: 'sent' },
  { id: 'DRAFT', mark: 'draft' },
  { id: 'CHAT', mark: 'chat' },
];

/** Label listings under way at once: their latency would otherwise add up, label after label. */
const LISTINGS_AT_ONCE = 4;

/**
 * The labels whose messages mark their conversation: STARRED, SENT, DRAFT, CHAT, every star
 * colour or marker, every label labels.list reports as `type: user`, and any other id it
 * reports that the service does not know (a message carrying one is protected as the owner's
 * own: the conversation follows). A marker labels.list leaves out is listed too
 * (`unreported`): a message read would carry it as a star, and a message a scan by sender
 * does not read is protected only by what the listings find.
 */
export function markingLabels(labels: readonly LabelInfo[]): MarkingLabel[] {
  const markers = labels.filter((l) => l.type === 'system' && STAR_MARKER_IDS.has(l.id));
  const reported = new Set(markers.map((l) => l.id));
  const unreported = [...STAR_MARKER_IDS].filter((id) => !reported.has(id));
  const unknown = labels.filter(
    (l) => l.type === 'system' && !SYSTEM_LABEL_IDS.has(l.id) && !l.id.startsWith('CATEGORY_'),
  );
  const user = labels.filter((l) => l.type === 'user');
  return [
    ...SYSTEM_MARKS,
    ...markers.map((l): MarkingLabel => ({ id: l.id, mark: 'starred' })),
    ...unreported.map((id): MarkingLabel => ({ id, mark: 'starred', unreported: true })),
    ...[...unknown, ...user].map((l): MarkingLabel => ({ id: l.id, mark: 'labelled' })),
  ];
}

const RUN_LABELS_KEPT = 200;
const byRun = new Map<string, Promise<MarkingLabel[]>>();

/**
 * The marking labels of a run: labels.list once per run (per instance: a task on another
 * instance lists them again, 1 unit). A failed listing is not remembered.
 */
export function runMarkingLabels(runId: string, mailbox: Mailbox): Promise<MarkingLabel[]> {
  let labels = byRun.get(runId);
  if (!labels) {
    labels = mailbox.labels().then(markingLabels);
    labels.catch(() => byRun.delete(runId));
    byRun.set(runId, labels);
    if (byRun.size > RUN_LABELS_KEPT) byRun.delete(byRun.keys().next().value!);
  }
  return labels;
}

/**
 * Lists every marked message, in Spam and Trash too, from exact label listings
 * (`messages.list?labelIds=X`, 5 units per 500 ids, no reads) and snoozed mail by search, and remembers their conversations, so
 * that every message of a marked conversation is protected however it is decided later. The
 * conversations are remembered in one store call once every listing is done (a failed listing
 * fails the plan task, whose retry lists them all again). Returns false when Gmail refused the
 * search for snoozed mail: the check before Trash then keeps what may be snoozed
 * (trash-guard.ts).
 */
export async function rememberMarkedConversations(
  store: Store,
  mailbox: Mailbox,
  userId: string,
  labels: readonly MarkingLabel[],
): Promise<boolean> {
  const listings = [...labels.map((l) => l.id), SNOOZED_QUERY];
  let snoozedListed = true;
  const marked: { threadId: string; mark: ConversationMark }[] = [];
  await eachAtMost(listings, LISTINGS_AT_ONCE, async (listing) => {
    if (listing === SNOOZED_QUERY) {
      const snoozed = await listSnoozed(mailbox);
      if (snoozed === 'refused') snoozedListed = false;
      else for (const m of snoozed) marked.push({ threadId: m.threadId, mark: 'snoozed' });
      return;
    }
    const { mark, unreported } = labels.find((l) => l.id === listing)!;
    let pageToken: string | undefined;
    do {
      let page: IdPage;
      try {
        // A reply the owner sent and later deleted still shows they answered: Trash counts.
        page = await mailbox.listIds({ labelIds: [listing], includeSpamTrash: true, pageToken });
      } catch (error) {
        // A marker the account does not have: no message carries it.
        if (unreported && error instanceof LabelUnknown) return;
        throw error;
      }
      for (const m of page.ids) marked.push({ threadId: m.threadId, mark });
      pageToken = page.nextPageToken;
    } while (pageToken);
  });
  await rememberMarks(store, userId, marked);
  return snoozedListed;
}

/** Remembers the conversations of listed messages as marked, all the same way. */
export async function rememberAs(
  store: Store,
  userId: string,
  listed: readonly { readonly threadId: string }[],
  mark: ConversationMark,
): Promise<void> {
  if (listed.length > 0) {
    await store.addMarkedThreads(userId, new Map(listed.map((m) => [m.threadId, mark])));
  }
}

/** Remembers each conversation with every mark it was given, in one store call. */
async function rememberMarks(
  store: Store,
  userId: string,
  marked: readonly { threadId: string; mark: ConversationMark }[],
): Promise<void> {
  const pairs = new Map(
    marked.map(({ threadId, mark }) => [`${mark} ${threadId}`, [threadId, mark] as const]),
  );
  if (pairs.size > 0) await store.addMarkedThreads(userId, pairs.values());
}

/** labelAdded pages a sync reads; past that (a full scan's own Trash), listing marks is cheaper. */
const MAX_LABEL_HISTORY_PAGES = 10;

/**
 * Keeps the memory of marks current between full scans: every sync reads the labels added
 * since its cursor (2 units a page; the service's own Trash shows up there too, which is why
 * the pages are bounded) and remembers the conversations they mark. When Gmail no longer has
 * that history, or it is longer than listing the marks, the marks are listed again in full.
 */
export async function rememberMarksSince(
  store: Store,
  mailbox: Mailbox,
  userId: string,
  from: string,
): Promise<void> {
  let pageToken: string | undefined;
  for (let pages = 0; pages < MAX_LABEL_HISTORY_PAGES; pages++) {
    const page = await mailbox.labelsAdded(from, pageToken);
    if (page === 'expired') break;
    await rememberMarksOf(store, userId, page.added);
    pageToken = page.nextPageToken;
    if (!pageToken) return;
  }
  const labels = markingLabels(await mailbox.labels());
  await rememberMarkedConversations(store, mailbox, userId, labels);
}

/** Remembers the conversations that messages mark by their own labels (a sync's new mail). */
export async function rememberMarksOf(
  store: Store,
  userId: string,
  messages: readonly { readonly threadId: string; readonly labelIds: readonly string[] }[],
): Promise<void> {
  const marks = new Map<string, ConversationMark>();
  for (const m of messages) {
    const mark = markOfLabels(m.labelIds);
    const earlier = marks.get(m.threadId);
    if (mark) marks.set(m.threadId, strongestMark(earlier ? [earlier, mark] : [mark])!);
  }
  if (marks.size > 0) await store.addMarkedThreads(userId, marks);
}

/** What the protection rules need for these messages: the keep-list and their conversations. */
export async function protectionContext(
  store: Pick<Store, 'markedThreads'>,
  user: User,
  messages: Iterable<Pick<MessageMeta, 'threadId'>>,
): Promise<ProtectionContext> {
  const threadIds = [...new Set(Array.from(messages, (m) => m.threadId))];
  return {
    keepSenders: user.policy.keepSenders,
    markedThreads: await store.markedThreads(user.id, threadIds),
  };
}
