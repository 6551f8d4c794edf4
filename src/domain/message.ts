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

/**
 * What is known of a message without reading it (from history or a listing): its id, its
 * conversation and, where history said, its labels; no header. Protection checks against its
 * labels and its conversation's marks need nothing more.
 */
export function unreadMeta(
  id: string,
  threadId: string,
  labelIds: readonly string[] = [],
): MessageMeta {
  return {
    id,
    threadId,
    labelIds,
    fromAddress: '',
    fromName: '',
    subject: '',
    snippet: '',
    sizeEstimate: 0,
    internalDate: 0,
    listUnsubscribe: false,
    listId: null,
  };
}

/** The headers the service asks Gmail for (format=metadata). */
export const METADATA_HEADERS = ['From', 'Subject', 'List-Unsubscribe', 'List-Id'] as const;

/**
 * Star colours and markers Gmail may put on a message beside (or instead of) STARRED, once the
 * user picks more than one star in the settings. labels.list reports them as `type: system`;
 * each marks the message like a star does.
 */
export const STAR_MARKER_IDS: ReadonlySet<string> = new Set([
  'YELLOW_STAR',
  'ORANGE_STAR',
  'RED_STAR',
  'PURPLE_STAR',
  'BLUE_STAR',
  'GREEN_STAR',
  'RED_BANG',
  'ORANGE_GUILLEMET',
  'YELLOW_BANG',
  'GREEN_CHECK',
  'BLUE_INFO',
  'PURPLE_QUESTION',
]);

/**
 * Gmail's own system labels, the star markers included. Any other id is taken for a label the
 * user made, so an id Gmail adds one day protects until it is known here.
 */
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
  ...STAR_MARKER_IDS,
]);
