import type { gmail_v1 } from '@googleapis/gmail';
import { eachAtMost } from '../../domain/each-at-most.js';
import type { MarkingLabel, ProtectedSince } from '../../domain/ports.js';
import { type ConversationMark, strongestMark } from '../../domain/protection.js';
import { type GmailCall, gmailErrorStatus } from './gmail-retry.js';

/** Label histories read at once: their latency would otherwise add up, label after label. */
const LABELS_AT_ONCE = 4;

type Found = Map<string, ConversationMark[]>;

/**
 * What was marked since `startHistoryId`, by the marking labels given (the run's, listed once
 * by its plan): every message added with one of them or given one marks its conversation. Two
 * ways to ask, 2 units a page each. history.list filtered by label costs a call per label
 * whatever happened, and the service's own Trash changes never make those lists long; one
 * unfiltered listing costs a page per 500 changes of any kind, the service's own trashing
 * included. A mailbox with dozens of labels (filters that label mail are common) makes the
 * first dear at every check, a run that has trashed thousands the second: the unfiltered
 * listing is tried first, and given up for the filtered ones once it has read one page fewer
 * than they would cost, so a check costs at most twice the cheaper way.
 */
export async function protectedSince(
  gmail: gmail_v1.Gmail,
  call: GmailCall,
  startHistoryId: string,
  labels: readonly MarkingLabel[],
): Promise<ProtectedSince | 'expired'> {
  const unfiltered =
    labels.length > 1
      ? await unfilteredSince(gmail, call, startHistoryId, labels, labels.length - 1)
      : 'ask by label';
  const result =
    unfiltered === 'ask by label' ? await byLabel(gmail, call, startHistoryId, labels) : unfiltered;
  if (result === 'expired') return 'expired';
  const marks = new Map<string, ConversationMark>();
  for (const [threadId, seen] of result.found) marks.set(threadId, strongestMark(seen)!);
  return { messageIds: result.messageIds, marks };
}

/**
 * One history listing of every change, read up to `maxPages` pages; 'ask by label' past them,
 * or when it cannot tell a new message's marks.
 */
async function unfilteredSince(
  gmail: gmail_v1.Gmail,
  call: GmailCall,
  startHistoryId: string,
  labels: readonly MarkingLabel[],
  maxPages: number,
): Promise<{ messageIds: Set<string>; found: Found } | 'expired' | 'ask by label'> {
  const markOf = new Map(labels.map((l) => [l.id, l.mark]));
  const messageIds = new Set<string>();
  const found: Found = new Map();
  let pageToken: string | undefined;
  let pages = 0;
  do {
    if (pages === maxPages) return 'ask by label';
    const data = await historyPage(gmail, call, { startHistoryId, pageToken });
    if (data === 'expired') return 'expired';
    pages++;
    for (const record of data.history ?? []) {
      // A new message given without its labels may carry a mark that only a listing filtered
      // by label can tell (the reference says history's messages typically have none).
      if ((record.messagesAdded ?? []).some(({ message }) => message?.id && !message.labelIds)) {
        return 'ask by label';
      }
      const changes = [
        ...(record.messagesAdded ?? []).map(({ message }) => ({ message, added: [] })),
        ...(record.labelsAdded ?? []).map(({ message, labelIds }) => ({
          message,
          added: labelIds ?? [],
        })),
      ];
      for (const { message, added } of changes) {
        if (!message?.id) continue;
        // As a listing filtered by label has it: the message carries the label after the
        // change, or the change gave it.
        const marks = [...(message.labelIds ?? []), ...added].flatMap((id) => markOf.get(id) ?? []);
        if (marks.length > 0) note(messageIds, found, message, marks);
      }
    }
    pageToken = data.nextPageToken ?? undefined;
  } while (pageToken);
  return { messageIds, found };
}

/** history.list filtered by each label in turn (a few at once). */
async function byLabel(
  gmail: gmail_v1.Gmail,
  call: GmailCall,
  startHistoryId: string,
  labels: readonly MarkingLabel[],
): Promise<{ messageIds: Set<string>; found: Found } | 'expired'> {
  const messageIds = new Set<string>();
  const found: Found = new Map();
  let expired = false;
  await eachAtMost(labels, LABELS_AT_ONCE, async ({ id: labelId, mark, unreported }) => {
    let pageToken: string | undefined;
    do {
      let data: gmail_v1.Schema$ListHistoryResponse | 'expired';
      try {
        data = await historyPage(gmail, call, { startHistoryId, labelId, pageToken });
      } catch (error) {
        // A marker the account does not have: no message carries it, none was marked with it.
        if (unreported && gmailErrorStatus(error) === 400) return;
        throw error;
      }
      if (data === 'expired') {
        expired = true;
        return;
      }
      for (const record of data.history ?? []) {
        const changed = [...(record.messagesAdded ?? []), ...(record.labelsAdded ?? [])];
        for (const { message } of changed) {
          if (message?.id) note(messageIds, found, message, [mark]);
        }
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken && !expired);
  });
  return expired ? 'expired' : { messageIds, found };
}

/** One page of messageAdded and labelAdded history; 'expired' when Gmail no longer has it. */
async function historyPage(
  gmail: gmail_v1.Gmail,
  call: GmailCall,
  query: { startHistoryId: string; labelId?: string; pageToken: string | undefined },
): Promise<gmail_v1.Schema$ListHistoryResponse | 'expired'> {
  try {
    const { data } = await call('users.history.list', (signal) =>
      gmail.users.history.list(
        {
          userId: 'me',
          ...query,
          historyTypes: ['messageAdded', 'labelAdded'],
          maxResults: 500,
        },
        { signal },
      ),
    );
    return data;
  } catch (error) {
    if (gmailErrorStatus(error) === 404) return 'expired';
    throw error;
  }
}

function note(
  messageIds: Set<string>,
  found: Found,
  message: gmail_v1.Schema$Message,
  marks: readonly ConversationMark[],
): void {
  messageIds.add(message.id!);
  const threadId = message.threadId ?? message.id!;
  found.set(threadId, [...(found.get(threadId) ?? []), ...marks]);
}
