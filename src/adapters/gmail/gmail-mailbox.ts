import type { gmail_v1 } from '@googleapis/gmail';
import type { OAuth2Client } from 'google-auth-library';
import type { GmailMethod, GmailUnitTable } from '../../domain/gmail-quota.js';
import { LabelUnknown, SearchRefused } from '../../domain/mailbox-errors.js';
import type { MessageMeta } from '../../domain/message.js';
import type {
  Clock,
  HistoryPage,
  IdPage,
  LabelHistoryPage,
  LabelInfo,
  Mailbox,
  MarkingLabel,
  Profile,
  ProtectedSince,
} from '../../domain/ports.js';
import type { QuotaLedger } from '../../domain/quota-ledger.js';
import type { GoogleEndpoints } from '../google-auth/google-endpoints.js';
import { BatchUnavailable } from './gmail-batch.js';
import { addedLabels, addedMessages, withLabels } from './gmail-history.js';
import { fetchMetadata } from './gmail-metadata-batch.js';
import { batchlessPaths, fetchMetadataOneByOne } from './gmail-metadata-single.js';
import { protectedSince } from './gmail-protected-since.js';
import {
  type GmailCall,
  type GmailRetryOptions,
  gmailErrorStatus,
  withGmailRetry,
} from './gmail-retry.js';
import { watchInbox } from './gmail-watch.js';

/** Gmail takes at most 1,000 ids per batchModify. */
const MODIFY_CHUNK = 1_000;
const PAGE_SIZE = 500;

export interface GmailMailboxOptions {
  readonly gmail: gmail_v1.Gmail;
  /** The same credentials as `gmail`, for multipart batches. */
  readonly auth: OAuth2Client;
  readonly endpoints: GoogleEndpoints;
  /** The Gmail budget: every call spends its units there before it is sent. */
  readonly ledger: QuotaLedger;
  /** Whose budget the calls spend: a stable id of the user (not the address). */
  readonly userKey: string;
  readonly units: GmailUnitTable;
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Calls per multipart batch (default 50, at most 100; fewer if the budget is smaller). */
  readonly batchSize?: number;
  /** Attempts, backoff and timeout of the retry policy. */
  readonly retry?: Omit<GmailRetryOptions, 'quota' | 'label' | 'clock' | 'sleep'>;
}

/** One user's Gmail through the googleapis client, under the shared quota ledger. */
export class GmailMailbox implements Mailbox {
  private readonly gmail: gmail_v1.Gmail;

  constructor(private readonly options: GmailMailboxOptions) {
    this.gmail = options.gmail;
  }

  async profile(): Promise<Profile> {
    const { data } = await this.call('users.getProfile', (signal) =>
      this.gmail.users.getProfile({ userId: 'me' }, { signal }),
    );
    return {
      emailAddress: data.emailAddress ?? '',
      messagesTotal: data.messagesTotal ?? 0,
      historyId: String(data.historyId ?? ''),
    };
  }

  async listIds(query: {
    q?: string;
    labelIds?: readonly string[];
    includeSpamTrash?: boolean;
    pageToken?: string | undefined;
  }): Promise<IdPage> {
    const { data } = await this.call('users.messages.list', (signal) =>
      this.gmail.users.messages.list(
        {
          userId: 'me',
          maxResults: PAGE_SIZE,
          q: query.q,
          labelIds: query.labelIds ? [...query.labelIds] : undefined,
          includeSpamTrash: query.includeSpamTrash,
          pageToken: query.pageToken,
        },
        { signal },
      ),
    ).catch((error: unknown) => {
      // The query is the one part of a list call Gmail may refuse; the rest is ours and valid.
      if (query.q && gmailErrorStatus(error) === 400)
        throw new SearchRefused('Gmail refused the search query');
      if (query.labelIds && gmailErrorStatus(error) === 400)
        throw new LabelUnknown('Gmail refused a label id');
      throw error;
    });
    const ids = (data.messages ?? []).flatMap((m) =>
      m.id ? [{ id: m.id, threadId: m.threadId ?? m.id }] : [],
    );
    return { ids, nextPageToken: data.nextPageToken ?? undefined };
  }

  /** Metadata as multipart batches, or call by call where the batch path is not served. */
  async getMetadata(ids: readonly string[]): Promise<Map<string, MessageMeta>> {
    const { auth, endpoints, ledger, userKey, units, batchSize = 50 } = this.options;
    const unique = [...new Set(ids)];
    if (!batchlessPaths.has(endpoints.gmailBatch)) {
      try {
        return await fetchMetadata(auth, endpoints.gmailBatch, unique, {
          batchSize,
          unitsPerCall: units['users.messages.get'],
          ledger,
          userKey,
          retry: this.retryOptions('users.messages.get (batch)'),
        });
      } catch (error) {
        if (!(error instanceof BatchUnavailable)) throw error;
        batchlessPaths.add(endpoints.gmailBatch);
      }
    }
    return fetchMetadataOneByOne(this.gmail, this.callGmail, unique);
  }

  async headers(id: string, names: readonly string[]): Promise<Record<string, string> | undefined> {
    let data: gmail_v1.Schema$Message;
    try {
      ({ data } = await this.call('users.messages.get', (signal) =>
        this.gmail.users.messages.get(
          { userId: 'me', id, format: 'metadata', metadataHeaders: [...names] },
          { signal },
        ),
      ));
    } catch (error) {
      if (gmailErrorStatus(error) === 404) return undefined;
      throw error;
    }
    const wanted = new Map(names.map((n) => [n.toLowerCase(), n]));
    const found: Record<string, string> = {};
    for (const header of data.payload?.headers ?? []) {
      const name = wanted.get(header.name?.toLowerCase() ?? '');
      if (name && header.value != null && !(name in found)) found[name] = header.value;
    }
    return found;
  }

  /**
   * One batchModify costs the same whether it carries one id or 1,000: for a message or two
   * (while that costs fewer units in the configured table) each goes by messages.trash.
   */
  async trash(ids: readonly string[]): Promise<void> {
    const { units } = this.options;
    if (ids.length * units['users.messages.trash'] >= units['users.messages.batchModify']) {
      return this.modify(ids, { addLabelIds: ['TRASH'] });
    }
    for (const id of ids) {
      try {
        await this.call('users.messages.trash', (signal) =>
          this.gmail.users.messages.trash({ userId: 'me', id }, { signal }),
        );
      } catch (error) {
        // Deleted since it was decided: nothing left to trash.
        if (gmailErrorStatus(error) !== 404) throw error;
      }
    }
  }

  untrash(ids: readonly string[]): Promise<void> {
    return this.modify(ids, { removeLabelIds: ['TRASH'] });
  }

  async history(startHistoryId: string, pageToken?: string): Promise<HistoryPage | 'expired'> {
    const data = await this.historyPage(startHistoryId, 'messageAdded', pageToken);
    if (data === 'expired') return 'expired';
    return {
      added: await withLabels(addedMessages(data.history ?? []), (ids) => this.getMetadata(ids)),
      historyId: String(data.historyId ?? startHistoryId),
      nextPageToken: data.nextPageToken ?? undefined,
    };
  }

  async labelsAdded(
    startHistoryId: string,
    pageToken?: string,
  ): Promise<LabelHistoryPage | 'expired'> {
    const data = await this.historyPage(startHistoryId, 'labelAdded', pageToken);
    if (data === 'expired') return 'expired';
    return {
      added: addedLabels(data.history ?? []),
      nextPageToken: data.nextPageToken ?? undefined,
    };
  }

  /** One history.list page of one record type; 'expired' when Gmail no longer has the start. */
  private async historyPage(
    startHistoryId: string,
    historyType: 'messageAdded' | 'labelAdded',
    pageToken: string | undefined,
  ): Promise<gmail_v1.Schema$ListHistoryResponse | 'expired'> {
    try {
      const { data } = await this.call('users.history.list', (signal) =>
        this.gmail.users.history.list(
          {
            userId: 'me',
            startHistoryId,
            historyTypes: [historyType],
            maxResults: PAGE_SIZE,
            pageToken,
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

  async labels(): Promise<LabelInfo[]> {
    const { data } = await this.call('users.labels.list', (signal) =>
      this.gmail.users.labels.list({ userId: 'me' }, { signal }),
    );
    return (data.labels ?? []).flatMap((label) =>
      label.id ? [{ id: label.id, type: label.type === 'user' ? 'user' : 'system' }] : [],
    );
  }

  protectedSince(
    startHistoryId: string,
    labels: readonly MarkingLabel[],
  ): Promise<ProtectedSince | 'expired'> {
    return protectedSince(this.gmail, this.callGmail, startHistoryId, labels);
  }

  watch(topic: string): Promise<{ historyId: string; expiration: number }> {
    return watchInbox(this.gmail, this.callGmail, topic, () => this.stop());
  }

  async stop(): Promise<void> {
    await this.call('users.stop', (signal) => this.gmail.users.stop({ userId: 'me' }, { signal }));
  }

  private async modify(
    ids: readonly string[],
    change: { addLabelIds?: string[]; removeLabelIds?: string[] },
  ): Promise<void> {
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += MODIFY_CHUNK) {
      const chunk = unique.slice(start, start + MODIFY_CHUNK);
      // Gmail skips ids that no longer exist, so a retried call does no harm.
      await this.call('users.messages.batchModify', (signal) =>
        this.gmail.users.messages.batchModify(
          { userId: 'me', requestBody: { ids: chunk, ...change } },
          { signal },
        ),
      );
    }
  }

  /** `call` bound to this mailbox, for the helpers in the other gmail-* modules. */
  private readonly callGmail: GmailCall = (method, send) => this.call(method, send);

  private call<T>(method: GmailMethod, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { ledger, userKey, units } = this.options;
    return withGmailRetry(send, {
      ...this.retryOptions(method),
      quota: { ledger, userKey, units: units[method] },
    });
  }

  private retryOptions(label: string): GmailRetryOptions {
    const { clock, sleep, retry } = this.options;
    return {
      ...retry,
      label,
      ...(clock ? { clock } : {}),
      ...(sleep ? { sleep } : {}),
    };
  }
}
