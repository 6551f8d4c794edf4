import type { gmail_v1 } from '@googleapis/gmail';
import { eachAtMost } from '../../domain/each-at-most.js';
import type { GmailMethod } from '../../domain/gmail-quota.js';
import type { MarkingLabel, ProtectedSince } from '../../domain/ports.js';
import { type ConversationMark, strongestMark } from '../../domain/protection.js';
import { gmailErrorStatus } from './gmail-retry.js';

/** Label histories read at once: their latency would otherwise add up, label after label. */
const LABELS_AT_ONCE = 4;

type Call = <T>(method: GmailMethod, send: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/**
 * history.list filtered by label, once per marking label (the run's, listed once by its plan):
 * each call returns only changes to messages carrying that label (2 units a page), so the
 * service's own Trash changes never make these lists long. Every message found marks its
 * conversation.
 */
export async function protectedSince(
  gmail: gmail_v1.Gmail,
  call: Call,
  startHistoryId: string,
  labels: readonly MarkingLabel[],
): Promise<ProtectedSince | 'expired'> {
  const messageIds = new Set<string>();
  const found = new Map<string, ConversationMark[]>();
  let expired = false;
  await eachAtMost(labels, LABELS_AT_ONCE, async ({ id: labelId, mark, unreported }) => {
    let pageToken: string | undefined;
    do {
      let data: gmail_v1.Schema$ListHistoryResponse;
      try {
        ({ data } = await call('users.history.list', (signal) =>
          gmail.users.history.list(
            {
              userId: 'me',
              startHistoryId,
              labelId,
              historyTypes: ['messageAdded', 'labelAdded'],
              maxResults: 500,
              pageToken,
            },
            { signal },
          ),
        ));
      } catch (error) {
        // A marker the account does not have: no message carries it, none was marked with it.
        if (unreported && gmailErrorStatus(error) === 400) return;
        if (gmailErrorStatus(error) !== 404) throw error;
        expired = true;
        return;
      }
      for (const record of data.history ?? []) {
        const changed = [...(record.messagesAdded ?? []), ...(record.labelsAdded ?? [])];
        for (const { message } of changed) {
          if (!message?.id) continue;
          messageIds.add(message.id);
          const threadId = message.threadId ?? message.id;
          found.set(threadId, [...(found.get(threadId) ?? []), mark]);
        }
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken && !expired);
  });
  if (expired) return 'expired';
  const marks = new Map<string, ConversationMark>();
  for (const [threadId, seen] of found) marks.set(threadId, strongestMark(seen)!);
  return { messageIds, marks };
}
