import type { gmail_v1 } from '@googleapis/gmail';
import { eachAtMost } from '../../domain/each-at-most.js';
import { METADATA_HEADERS, type MessageMeta } from '../../domain/message.js';
import { toMessageMeta } from './gmail-metadata.js';
import { type GmailCall, gmailErrorStatus } from './gmail-retry.js';

/** Reads at once: a few calls in flight hide their latency without tripping Gmail's limit. */
const READS_AT_ONCE = 8;

/**
 * Batch HTTP paths found not served, for the life of the process: their calls go one by one
 * from then on, at the same units (a batch saves connections, not quota).
 */
export const batchlessPaths = new Set<string>();

/**
 * messages.get (format=metadata) for every id, one call each, a few at once: where the batch
 * path is not served. A message that is gone (404) is left out, as a batch leaves it out.
 */
export async function fetchMetadataOneByOne(
  gmail: gmail_v1.Gmail,
  call: GmailCall,
  ids: readonly string[],
): Promise<Map<string, MessageMeta>> {
  const found = new Map<string, MessageMeta>();
  await eachAtMost(ids, READS_AT_ONCE, async (id) => {
    try {
      const { data } = await call('users.messages.get', (signal) =>
        gmail.users.messages.get(
          { userId: 'me', id, format: 'metadata', metadataHeaders: [...METADATA_HEADERS] },
          { signal },
        ),
      );
      found.set(id, toMessageMeta(data, id));
    } catch (error) {
      if (gmailErrorStatus(error) !== 404) throw error;
    }
  });
  // In the order asked, as a batch answers.
  return new Map(ids.flatMap((id) => (found.has(id) ? [[id, found.get(id)!] as const] : [])));
}
