import type { gmail_v1 } from '@googleapis/gmail';
import type { HistoryPage, LabelHistoryPage } from '../../domain/ports.js';

/** messagesAdded of history records, each message once, in order, with its latest labels. */
export function addedMessages(history: readonly gmail_v1.Schema$History[]): HistoryPage['added'] {
  const added = new Map<string, { id: string; threadId: string; labelIds: readonly string[] }>();
  for (const record of history) {
    for (const { message } of record.messagesAdded ?? []) {
      if (!message?.id) continue;
      const previous = added.get(message.id);
      added.set(message.id, {
        id: message.id,
        threadId: message.threadId ?? previous?.threadId ?? message.id,
        labelIds: message.labelIds ?? previous?.labelIds ?? [],
      });
    }
  }
  return [...added.values()];
}

/** labelsAdded of history records: each labelled message's thread and the ids added. */
export function addedLabels(
  history: readonly gmail_v1.Schema$History[],
): LabelHistoryPage['added'] {
  return history.flatMap((record) =>
    (record.labelsAdded ?? []).flatMap(({ message, labelIds }) =>
      message?.id ? [{ threadId: message.threadId ?? message.id, labelIds: labelIds ?? [] }] : [],
    ),
  );
}
