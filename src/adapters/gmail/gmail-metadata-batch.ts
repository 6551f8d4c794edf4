import type { gmail_v1 } from '@googleapis/gmail';
import type { OAuth2Client } from 'google-auth-library';
import { METADATA_HEADERS, type MessageMeta } from '../../domain/message.js';
import type { QuotaLedger } from '../../domain/quota-ledger.js';
import {
  type BatchAnswer,
  type BatchCall,
  MAX_BATCH_CALLS,
  sendGmailBatch,
} from './gmail-batch.js';
import { toMessageMeta } from './gmail-metadata.js';
import {
  classifyGmailError,
  errorBodyReason,
  GmailCallError,
  type GmailRetryOptions,
  parseRetryAfter,
  withGmailRetry,
} from './gmail-retry.js';

export interface FetchMetadataOptions {
  /** Calls per multipart batch; fewer when one batch would not fit the user's budget. */
  readonly batchSize: number;
  /** Units of one messages.get. */
  readonly unitsPerCall: number;
  readonly ledger: QuotaLedger;
  readonly userKey: string;
  readonly retry?: Omit<GmailRetryOptions, 'quota'>;
}

const HEADER_QUERY = METADATA_HEADERS.map((h) => `metadataHeaders=${encodeURIComponent(h)}`).join(
  '&',
);

/**
 * messages.get (format=metadata) for every id, as multipart batches. Each batch spends the
 * units of the calls it carries before it is sent; only parts that failed in a retryable way are
 * sent again. A message that is gone (404) is left out of the result: that is not a failure.
 */
export async function fetchMetadata(
  auth: OAuth2Client,
  batchUrl: string,
  ids: readonly string[],
  options: FetchMetadataOptions,
): Promise<Map<string, MessageMeta>> {
  const { ledger, unitsPerCall } = options;
  const perBatch = Math.max(
    1,
    Math.min(options.batchSize, MAX_BATCH_CALLS, Math.floor(ledger.maxUnits / unitsPerCall)),
  );
  const found = new Map<string, MessageMeta>();
  for (let start = 0; start < ids.length; start += perBatch) {
    await fetchBatch(auth, batchUrl, ids.slice(start, start + perBatch), found, options);
  }
  return found;
}

async function fetchBatch(
  auth: OAuth2Client,
  batchUrl: string,
  ids: readonly string[],
  found: Map<string, MessageMeta>,
  options: FetchMetadataOptions,
): Promise<void> {
  const now = () => options.retry?.clock?.now() ?? Date.now();
  let pending = ids;
  await withGmailRetry(
    async (signal) => {
      const answers = await sendGmailBatch(auth, batchUrl, pending.map(metadataCall), signal);
      // Batch parts carry the access token the batch was sent with; a 401 means it was revoked
      // or expired early. A refresh either fixes that (the parts are sent again) or fails with
      // invalid_grant, which ends in ReconnectNeeded rather than endless retries.
      if (answers.some((answer) => answer.status === 401)) await auth.refreshAccessToken();
      const again: string[] = [];
      let failure: GmailCallError | undefined;
      answers.forEach((answer, i) => {
        const id = pending[i]!;
        if (answer.status === 404) return;
        if (answer.status === 200 && answer.body && typeof answer.body === 'object') {
          found.set(id, toMessageMeta(answer.body as gmail_v1.Schema$Message, id));
          return;
        }
        again.push(id);
        failure = worse(failure, partError(answer, now()), now());
      });
      pending = again;
      if (failure) throw failure;
    },
    {
      label: 'users.messages.get (batch)',
      ...options.retry,
      quota: {
        ledger: options.ledger,
        userKey: options.userKey,
        units: () => pending.length * options.unitsPerCall,
      },
    },
  );
}

function metadataCall(id: string): BatchCall {
  return {
    method: 'GET',
    path: `/gmail/v1/users/me/messages/${encodeURIComponent(id)}?format=metadata&${HEADER_QUERY}`,
  };
}

function partError(answer: BatchAnswer, now: number): GmailCallError {
  // A 200 without a JSON message is a broken answer, and a 401 was answered by a token
  // refresh: both are worth another try.
  const status = answer.status === 200 || answer.status === 401 ? 502 : answer.status;
  return new GmailCallError(
    `batch part answered ${answer.status}`,
    status,
    errorBodyReason(answer.body),
    parseRetryAfter(answer.headers.get('retry-after'), now),
  );
}

/** The failure that decides: one that must not be retried, else the longest Retry-After. */
function worse(a: GmailCallError | undefined, b: GmailCallError, now: number): GmailCallError {
  if (!a) return b;
  const fatal = (e: GmailCallError) => classifyGmailError(e, now).kind !== 'retry';
  if (fatal(a) !== fatal(b)) return fatal(a) ? a : b;
  return (b.retryAfterMs ?? 0) > (a.retryAfterMs ?? 0) ? b : a;
}
