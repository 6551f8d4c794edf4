import type { gmail_v1 } from '@googleapis/gmail';
import type { LabelHistoryPage } from '../../domain/ports.js';

/** A new message as history gives it: its labels are undefined when Gmail left them out. */
export interface AddedMessage {
  readonly id: string;
  readonly threadId: string;
  readonly labelIds: readonly string[] | undefined;
}

/**
 * messagesAdded of history records, each message once, in order, with its latest labels. The
 * reference says a history record's messages "will typically only have `id` and `threadId`
 * fields populated": labels left out are undefined, never taken for "no labels".
 */
export function addedMessages(history: readonly gmail_v1.Schema$History[]): AddedMessage[] {
  const added = new Map<string, AddedMessage>();
  for (const record of history) {
    for (const { message } of record.messagesAdded ?? []) {
      if (!message?.id) continue;
      const previous = added.get(message.id);
      added.set(message.id, {
        id: message.id,
        threadId: message.threadId ?? previous?.threadId ?? message.id,
        labelIds: message.labelIds ?? previous?.labelIds,
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
