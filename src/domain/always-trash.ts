import type { MessageMeta } from './message.js';
import type { Policy } from './model.js';
import type { ClassifierAnswer } from './ports.js';

export const UNSUBSCRIBED_REASON = 'you unsubscribed from this sender';

/**
 * Answers for mail from senders on the owner's always-trash list: trash, without asking the
 * classifier. The protection rules still come first (see decide.ts).
 */
export function alwaysTrashAnswers(
  messages: readonly MessageMeta[],
  policy: Policy,
): Map<string, ClassifierAnswer> {
  const senders = new Set(policy.alwaysTrash.map((e) => e.sender));
  const answers = new Map<string, ClassifierAnswer>();
  if (senders.size === 0) return answers;
  for (const m of messages) {
    if (senders.has(m.fromAddress))
      answers.set(m.id, { action: 'trash', reason: UNSUBSCRIBED_REASON });
  }
  return answers;
}
