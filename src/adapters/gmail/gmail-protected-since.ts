import type { gmail_v1 } from '@googleapis/gmail';
import type { GmailMethod } from '../../domain/gmail-quota.js';
import { SYSTEM_LABEL_IDS } from '../../domain/message.js';
import type { ProtectedSince } from '../../domain/ports.js';
import { gmailErrorStatus } from './gmail-retry.js';

type Call = <T>(method: GmailMethod, send: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Labels that protect a message once added; user labels are added to these. */
const PROTECTING = ['STARRED', 'SENT', 'DRAFT', 'CHAT'];

/**
 * history.list filtered by label, once per protecting label: each call returns only changes
 * to messages carrying that label (2 units a page), so the service's own Trash changes never
 * make these lists long.
 */
export async function protectedSince(
  gmail: gmail_v1.Gmail,
  call: Call,
  startHistoryId: string,
): Promise<ProtectedSince | 'expired'> {
  const { data: labels } = await call('users.labels.list', (signal) =>
    gmail.users.labels.list({ userId: 'me' }, { signal }),
  );
  const userLabels = (labels.labels ?? []).flatMap((l) =>
    l.id && !SYSTEM_LABEL_IDS.has(l.id) ? [l.id] : [],
  );
  const messageIds = new Set<string>();
  const threadIds = new Set<string>();
  for (const labelId of [...PROTECTING, ...userLabels]) {
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
        if (gmailErrorStatus(error) === 404) return 'expired';
        throw error;
      }
      for (const record of data.history ?? []) {
        const changed = [...(record.messagesAdded ?? []), ...(record.labelsAdded ?? [])];
        for (const { message } of changed) {
          if (!message?.id) continue;
          messageIds.add(message.id);
          if (labelId === 'SENT' && message.threadId) threadIds.add(message.threadId);
        }
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
  }
  return { messageIds, threadIds };
}
