import { type ConversationMark, markOfLabels, strongestMark } from '../../src/domain/protection.js';
import type { SimMessage } from '../../src/local/google/sim-types.js';

/**
 * The simulator's truth: every conversation holding a marked message (starred or any marker,
 * sent, draft, chat, user-labelled, snoozed), with its strongest mark.
 */
export function markedConversations(messages: Iterable<SimMessage>): Map<string, ConversationMark> {
  const found = new Map<string, ConversationMark>();
  for (const m of messages) {
    const own = markOfLabels(m.labelIds);
    const marks = [own, m.snoozed ? ('snoozed' as const) : undefined, found.get(m.threadId)];
    const strongest = strongestMark(marks.filter((x): x is ConversationMark => x !== undefined));
    if (strongest) found.set(m.threadId, strongest);
  }
  return found;
}
