import type { gmail_v1 } from '@googleapis/gmail';
import { type GmailCall, gmailErrorMessage, gmailErrorStatus } from './gmail-retry.js';

const ONE_WATCH_CLIENT = 'Only one user push notification client allowed per developer';

/**
 * users.watch of the Inbox on `topic`. Gmail refuses a second watch client of the user with 400
 * "Only one user push notification client allowed per developer": stop it, then watch again.
 */
export async function watchInbox(
  gmail: gmail_v1.Gmail,
  call: GmailCall,
  topic: string,
  stop: () => Promise<void>,
): Promise<{ historyId: string; expiration: number }> {
  const watchOnce = () =>
    call('users.watch', (signal) =>
      gmail.users.watch(
        {
          userId: 'me',
          requestBody: { topicName: topic, labelIds: ['INBOX'], labelFilterBehavior: 'include' },
        },
        { signal },
      ),
    );
  let response: Awaited<ReturnType<typeof watchOnce>>;
  try {
    response = await watchOnce();
  } catch (error) {
    if (gmailErrorStatus(error) !== 400 || !gmailErrorMessage(error).includes(ONE_WATCH_CLIENT))
      throw error;
    await stop();
    response = await watchOnce();
  }
  return {
    historyId: String(response.data.historyId ?? ''),
    expiration: Number(response.data.expiration ?? 0),
  };
}
