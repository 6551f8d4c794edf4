/** What the service knows of a message: metadata only, never the body. */
export interface MessageMeta {
  readonly id: string;
  readonly threadId: string;
  readonly labelIds: readonly string[];
  /** Lowercased sender address, or '' when the From header has none. */
  readonly fromAddress: string;
  readonly fromName: string;
  readonly subject: string;
  readonly snippet: string;
  readonly sizeEstimate: number;
  /** Epoch ms. */
  readonly internalDate: number;
  readonly listUnsubscribe: boolean;
  readonly listId: string | null;
}

/** The headers the service asks Gmail for (format=metadata). */
export const METADATA_HEADERS = ['From', 'Subject', 'List-Unsubscribe', 'List-Id'] as const;

/** Gmail's own system labels; any other label id is one the user made. */
export const SYSTEM_LABEL_IDS: ReadonlySet<string> = new Set([
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
]);
