/**
 * Shapes shared by the parts of the simulated Google (OAuth, Gmail, generator, search).
 * They are the simulator's own records; the wire formats are built from them in the routes.
 */

/** A correspondent. Shared between messages so that a 200,000-message mailbox stays small. */
export interface SimSender {
  readonly name: string;
  readonly address: string;
  /** Bulk senders carry List-Unsubscribe and List-Id headers on their mail. */
  readonly bulk: boolean;
  readonly listId?: string | undefined;
}

export interface SimMessage {
  /** 16 lowercase hex digits, like Gmail's ids. */
  readonly id: string;
  readonly threadId: string;
  /** Epoch milliseconds. */
  readonly internalDate: number;
  /** System label ids (INBOX, SENT, CATEGORY_PROMOTIONS, ...) and user label ids (Label_1, ...). */
  labelIds: string[];
  readonly from: SimSender;
  /** Recipient addresses. */
  readonly to: readonly string[];
  readonly subject: string;
  readonly snippet: string;
  readonly sizeEstimate: number;
  /** Names of attachments; empty when none. */
  readonly attachments: readonly string[];
  /** The RFC 822 Message-ID header value, e.g. `<abc@mail.example.com>`. */
  readonly messageIdHeader: string;
  /** Message-ID of the message this one replies to, when it is a reply. */
  readonly inReplyTo?: string | undefined;
  /** History id of the last change to this message. */
  historyId: number;
  /** Snoozed: out of the inbox until later; only search (`in:snoozed`) shows it. */
  snoozed?: boolean;
  /**
   * Header values exactly as the message carries them, where they differ from what the sender
   * implies (an RFC 2047 encoded name, group syntax, a List-Unsubscribe with one URI only);
   * null: the message has no such header. Search still reads `from` and `subject`, the decoded
   * values Gmail indexes.
   */
  readonly wireHeaders?: WireHeaders;
}

/** Per-message header overrides; see SimMessage.wireHeaders. */
export interface WireHeaders {
  readonly from?: string | null;
  readonly subject?: string | null;
  readonly listUnsubscribe?: string | null;
  readonly listUnsubscribePost?: string | null;
}

export interface SimLabel {
  readonly id: string;
  readonly name: string;
  readonly type: 'system' | 'user';
}

/** System labels Gmail always has. */
export const SYSTEM_LABELS: readonly SimLabel[] = [
  'INBOX',
  'SENT',
  'DRAFT',
  'SPAM',
  'TRASH',
  'STARRED',
  'IMPORTANT',
  'UNREAD',
  'CHAT',
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
].map((id) => ({ id, name: id, type: 'system' as const }));

/** What a search query is evaluated against besides the message itself. */
export interface SearchContext {
  /** Epoch milliseconds of "now", for older_than / newer_than. */
  readonly now: number;
  /** Label lookup by lowercased name or id (user labels match `label:name`, with `-`/`/` variants). */
  labelIdByName(name: string): string | undefined;
  /** Whether the id is one of the user's own labels (labels.list `type: user`). */
  isUserLabel(id: string): boolean;
}

/** A signed-in grant, as the OAuth side hands it to the Gmail side. */
export interface SimGrant {
  readonly email: string;
  readonly scopes: readonly string[];
}
