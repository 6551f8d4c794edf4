import { type MessageMeta, STAR_MARKER_IDS, SYSTEM_LABEL_IDS } from './message.js';

/**
 * How a person marked a conversation. Gmail marks single messages (it stars only the newest
 * message of a starred conversation; a label misses replies that arrive after it), people mark
 * conversations: a conversation holding a marked message is protected whole.
 */
export const CONVERSATION_MARKS = [
  'starred',
  'sent',
  'draft',
  'chat',
  'labelled',
  'snoozed',
] as const;
export type ConversationMark = (typeof CONVERSATION_MARKS)[number];

/** The reason a decision states for a message protected by its conversation. */
export const CONVERSATION_REASONS: Readonly<Record<ConversationMark, string>> = {
  starred: 'in a starred conversation',
  sent: 'in a thread you replied to',
  draft: 'in a conversation with your draft',
  chat: 'in a chat conversation',
  labelled: 'in a conversation with one of your labels',
  snoozed: 'in a snoozed conversation',
};

/** The mark a conversation is remembered by when it has several: the first in CONVERSATION_MARKS. */
export function strongestMark(marks: Iterable<ConversationMark>): ConversationMark | undefined {
  let best: ConversationMark | undefined;
  for (const mark of marks) {
    if (best === undefined || CONVERSATION_MARKS.indexOf(mark) < CONVERSATION_MARKS.indexOf(best))
      best = mark;
  }
  return best;
}

/** What the protection rules need to know beyond the message itself. */
export interface ProtectionContext {
  readonly keepSenders: readonly string[];
  /** Conversations (thread ids) the user marked, with how; see CONVERSATION_MARKS. */
  readonly markedThreads: ReadonlyMap<string, ConversationMark>;
}

const LABEL_RULES: readonly (readonly [string, string])[] = [
  ['STARRED', 'starred'],
  ['SENT', 'sent by you'],
  ['DRAFT', 'a draft'],
  ['CHAT', 'a chat'],
];

/**
 * Why a message must never be trashed, or null when no rule protects it: its own labels
 * (any star or marker, sent, draft, chat, any user label), then its conversation's marks, then
 * the keep-list. These rules hold whatever any classifier says.
 */
export function protectionReason(message: MessageMeta, ctx: ProtectionContext): string | null {
  for (const [label, reason] of LABEL_RULES) if (message.labelIds.includes(label)) return reason;
  if (message.labelIds.some((id) => STAR_MARKER_IDS.has(id))) return 'starred';
  if (message.labelIds.some((id) => !SYSTEM_LABEL_IDS.has(id))) return 'has one of your labels';
  const mark = ctx.markedThreads.get(message.threadId);
  if (mark) return CONVERSATION_REASONS[mark];
  if (onKeepList(message.fromAddress, ctx.keepSenders)) return 'sender on your keep-list';
  return null;
}

/** The mark a message's own label ids put on its conversation, if any. */
export function markOfLabels(labelIds: readonly string[]): ConversationMark | undefined {
  const marks: ConversationMark[] = [];
  for (const id of labelIds) {
    if (id === 'STARRED' || STAR_MARKER_IDS.has(id)) marks.push('starred');
    else if (id === 'SENT') marks.push('sent');
    else if (id === 'DRAFT') marks.push('draft');
    else if (id === 'CHAT') marks.push('chat');
    else if (!SYSTEM_LABEL_IDS.has(id)) marks.push('labelled');
  }
  return strongestMark(marks);
}

/**
 * A keep-list entry is an address (`alerts@bank.example`), a domain with or without `@`
 * (`@bank.example`, `bank.example`), which also covers its subdomains.
 */
export function onKeepList(address: string, keepSenders: readonly string[]): boolean {
  const from = address.trim().toLowerCase();
  if (!from) return false;
  const domain = from.slice(from.lastIndexOf('@') + 1);
  return keepSenders.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry) return false;
    if (!entry.startsWith('@') && entry.includes('@')) return from === entry;
    const wanted = entry.replace(/^@/, '');
    return domain === wanted || domain.endsWith(`.${wanted}`);
  });
}
