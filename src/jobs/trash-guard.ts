import { isComingOfAge } from '../domain/coming-of-age-log.js';
import type { MessageMeta } from '../domain/message.js';
import type { MessageDecision, RunState, User } from '../domain/model.js';
import type { Mailbox, Store } from '../domain/ports.js';
import { type ConversationMark, protectionReason, strongestMark } from '../domain/protection.js';
import { everPaused } from '../domain/run-pauses.js';
import {
  protectionContext,
  rememberMarkedConversations,
  runMarkingLabels,
} from './conversation-marks.js';
import type { JobDeps } from './job-deps.js';
import {
  listSnoozed,
  MAYBE_SNOOZED_REASON,
  noteSnoozedRefused,
  outsideInbox,
} from './snoozed-mail.js';

/**
 * The last check before a full scan trashes anything: its decisions rest on listings and reads
 * that may be minutes old (a sync reads the marks made since its cursor before it decides, in
 * sync-mailbox.ts, and needs no more). History filtered by each marking label shows every
 * message starred, labelled, sent or drafted since; their whole conversations are remembered
 * as marked, snoozed mail is listed again, and every trash candidate is checked against the
 * protection rules once more. When Gmail no longer has that history, the marks are listed
 * again in full and the candidates are read again.
 *
 * Returns the decisions with every candidate that must not go to Trash turned `protected`.
 * It may be called whenever trash is about to be sent: a trash decision carries its thread id
 * and sender, all the check needs besides Gmail.
 */
export async function guardBeforeTrash(
  deps: JobDeps,
  run: RunState,
  user: User,
  mailbox: Mailbox,
  decisions: readonly MessageDecision[],
): Promise<MessageDecision[]> {
  const trash = decisions.filter((d) => d.decision === 'trash');
  // A sync read the marks made since its cursor moments ago (sync-mailbox.ts), unless its run
  // waited for its owner (paused-runs.ts): then marks may have been made at any time since. A
  // coming-of-age pass decides from listings, as a full scan does, and is guarded the same way.
  const fresh = run.kind !== 'full' && !isComingOfAge(run) && !everPaused(run.errors);
  if (trash.length === 0 || fresh) return [...decisions];
  const labels = await runMarkingLabels(run.id, mailbox);
  const from = run.startHistoryId;
  // A marker labels.list did not report is listed at the plan, for mail already marked with
  // it. Its history is not read at every flush (2 units each, 8 markers on most accounts):
  // a star or marker put on in Gmail's own apps comes with STARRED, whose history is read;
  // only a marker alone, that labels.list does not know, put on during a scan, escapes.
  const watched = labels.filter((l) => !l.unreported);
  const changed = from === null ? 'expired' : await mailbox.protectedSince(from, watched);

  let known: ReadonlyMap<string, MessageMeta>;
  let markedNow: ReadonlySet<string> = new Set();
  let snoozedListed: boolean;
  let marksStore: Pick<Store, 'markedThreads'> = deps.store;
  if (changed === 'expired') {
    snoozedListed = await rememberMarkedConversations(deps.store, mailbox, user.id, labels);
    known = await mailbox.getMetadata(trash.map((d) => d.id));
  } else {
    const marks = new Map<string, ConversationMark>(changed.marks);
    const snoozed = await listSnoozed(mailbox);
    snoozedListed = snoozed !== 'refused';
    if (snoozed !== 'refused') {
      for (const m of snoozed) if (!marks.has(m.threadId)) marks.set(m.threadId, 'snoozed');
    }
    // Most are remembered already (snoozed mail above all, listed at every check): a flush
    // writes only what is new. The candidates' conversations are read in the same call, for
    // the check below.
    const asked = new Set([...marks.keys(), ...trash.flatMap((d) => d.threadId ?? [])]);
    const remembered = await deps.store.markedThreads(user.id, [...asked]);
    const fresh = new Map([...marks].filter(([thread, mark]) => remembered.get(thread) !== mark));
    if (fresh.size > 0) await deps.store.addMarkedThreads(user.id, fresh);
    for (const [thread, mark] of fresh) {
      const earlier = remembered.get(thread);
      remembered.set(thread, strongestMark(earlier ? [earlier, mark] : [mark])!);
    }
    marksStore = alreadyRead(deps.store, asked, remembered);
    // A decision saved before decisions carried their thread id: its message is read again.
    const unknown = trash.filter((d) => d.threadId === undefined).map((d) => d.id);
    const reread: ReadonlyMap<string, MessageMeta> =
      unknown.length > 0 ? await mailbox.getMetadata(unknown) : new Map();
    known = new Map(
      trash.flatMap((d) => {
        const m = d.threadId === undefined ? reread.get(d.id) : asMessage(d);
        return m ? [[d.id, m] as const] : [];
      }),
    );
    markedNow = changed.messageIds;
  }
  const candidates = trash.flatMap((d) => {
    const m = known.get(d.id);
    return m ? [m] : [];
  });
  const ctx = await protectionContext(marksStore, user, candidates);
  const maybeSnoozed = snoozedListed
    ? new Set<string>()
    : await keepMaybeSnoozed(deps, run, mailbox, candidates);
  return decisions.map((d) => {
    if (d.decision !== 'trash') return d;
    const m = known.get(d.id);
    // A candidate that vanished between decision and re-read is not trashed blind.
    const reason = !m
      ? 'changed since it was decided'
      : markedNow.has(d.id)
        ? 'marked since the scan started'
        : (protectionReason(m, ctx) ?? (maybeSnoozed.has(d.id) ? MAYBE_SNOOZED_REASON : null));
    return reason === null ? d : { ...d, decision: 'protected', reason, sender: null };
  });
}

/**
 * Gmail refused `in:snoozed`: the run's log says so, and the candidates whose conversation
 * has no message in the Inbox (where a snoozed one is not) are kept.
 */
export async function keepMaybeSnoozed(
  deps: JobDeps,
  run: RunState,
  mailbox: Mailbox,
  candidates: readonly Pick<MessageMeta, 'id' | 'threadId'>[],
): Promise<Set<string>> {
  await noteSnoozedRefused(deps.store, run.id, deps.clock.now());
  deps.log.warn('in:snoozed refused: keeping mail outside the Inbox', { runId: run.id });
  return outsideInbox(mailbox, candidates);
}

/** What a trash decision tells of its message: enough for the conversation and keep-list rules. */
function asMessage(d: MessageDecision): MessageMeta {
  return {
    id: d.id,
    threadId: d.threadId ?? '',
    labelIds: [],
    fromAddress: d.sender ?? '',
    fromName: '',
    subject: '',
    snippet: '',
    sizeEstimate: d.bytes,
    internalDate: 0,
    listUnsubscribe: false,
    listId: null,
  };
}

/**
 * The marks of the conversations `asked` as read (and since added to), and the store for any
 * other: the check reads each conversation's marks once.
 */
function alreadyRead(
  store: Pick<Store, 'markedThreads'>,
  asked: ReadonlySet<string>,
  read: ReadonlyMap<string, ConversationMark>,
): Pick<Store, 'markedThreads'> {
  return {
    async markedThreads(userId, threadIds) {
      const others = threadIds.filter((id) => !asked.has(id));
      const found = others.length > 0 ? await store.markedThreads(userId, others) : new Map();
      for (const id of threadIds) {
        const mark = read.get(id);
        if (mark) found.set(id, mark);
      }
      return found;
    },
  };
}
