import type { gmail_v1 } from '@googleapis/gmail';
import type { MessageMeta } from '../../domain/message.js';
import type { HistoryPage, LabelHistoryPage } from '../../domain/ports.js';

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

/**
 * New messages with their labels: those history gave without are read (20 units each), as the
 * sync must know a message's labels before it decides anything of it. A message deleted since
 * is left out: there is nothing left to clean.
 */
export async function withLabels(
  added: readonly AddedMessage[],
  read: (ids: readonly string[]) => Promise<Map<string, MessageMeta>>,
): Promise<HistoryPage['added']> {
  const bare = added.filter((m) => m.labelIds === undefined).map((m) => m.id);
  const metadata = bare.length > 0 ? await read(bare) : new Map<string, MessageMeta>();
  return added.flatMap((m) => {
    const labelIds = m.labelIds ?? metadata.get(m.id)?.labelIds;
    return labelIds ? [{ id: m.id, threadId: m.threadId, labelIds }] : [];
  });
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
