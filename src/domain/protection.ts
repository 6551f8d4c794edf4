import { type MessageMeta, SYSTEM_LABEL_IDS } from './message.js';

/** What the protection rules need to know beyond the message itself. */
export interface ProtectionContext {
  readonly keepSenders: readonly string[];
  /** Thread ids the user replied in. */
  readonly repliedThreads: ReadonlySet<string>;
}

const LABEL_RULES: readonly (readonly [string, string])[] = [
  ['STARRED', 'starred'],
  ['SENT', 'sent by you'],
  ['DRAFT', 'a draft'],
  ['CHAT', 'a chat'],
];

/**
 * Why a message must never be trashed, or null when no rule protects it. These rules hold
 * whatever any classifier says.
 */
export function protectionReason(message: MessageMeta, ctx: ProtectionContext): string | null {
  for (const [label, reason] of LABEL_RULES) if (message.labelIds.includes(label)) return reason;
  if (message.labelIds.some((id) => !SYSTEM_LABEL_IDS.has(id))) return 'has one of your labels';
  if (ctx.repliedThreads.has(message.threadId)) return 'in a thread you replied to';
  if (onKeepList(message.fromAddress, ctx.keepSenders)) return 'sender on your keep-list';
  return null;
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
