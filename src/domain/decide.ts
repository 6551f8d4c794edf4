import type { MessageMeta } from './message.js';
import type { MessageDecision, RunCounters } from './model.js';
import type { ClassifierAnswer } from './ports.js';
import { type ProtectionContext, protectionReason } from './protection.js';

/**
 * The decision for every id of a batch. Protection rules come first and cannot be bypassed;
 * a message the classifier could not decide (no well-formed answer) is left in place and
 * counted as failed; an id without metadata no longer exists.
 */
export function decide(
  ids: readonly string[],
  metadata: ReadonlyMap<string, MessageMeta>,
  answers: ReadonlyMap<string, ClassifierAnswer>,
  ctx: ProtectionContext,
): MessageDecision[] {
  return ids.map((id): MessageDecision => {
    const message = metadata.get(id);
    if (!message)
      return { id, decision: 'gone', reason: 'no longer in the mailbox', sender: null, bytes: 0 };
    // Only trashed mail keeps its sender (for the run's per-sender summary): the address of
    // everything else, the user's own on their sent mail included, is never stored.
    const base = { id, sender: null, bytes: message.sizeEstimate };
    const protectedBecause = protectionReason(message, ctx);
    if (protectedBecause) return { ...base, decision: 'protected', reason: protectedBecause };
    if (message.labelIds.includes('TRASH') || message.labelIds.includes('SPAM')) {
      return { ...base, decision: 'gone', reason: 'already in Trash or Spam' };
    }
    const answer = answers.get(id);
    if (
      !answer ||
      typeof answer.reason !== 'string' ||
      (answer.action !== 'trash' && answer.action !== 'keep')
    ) {
      return { ...base, decision: 'failed', reason: 'not decided: no classifier answer' };
    }
    if (answer.failed) return { ...base, decision: 'failed', reason: answer.reason };
    if (answer.action === 'trash') {
      return {
        ...base,
        decision: 'trash',
        reason: answer.reason,
        sender: message.fromAddress || null,
        threadId: message.threadId,
      };
    }
    return { ...base, decision: 'keep', reason: answer.reason };
  });
}

/** What a batch's decisions add to its run's counters. */
export function countDecisions(decisions: readonly MessageDecision[]): RunCounters {
  const count = (kind: MessageDecision['decision']) =>
    decisions.filter((d) => d.decision === kind).length;
  return {
    listed: 0,
    processed: decisions.length,
    trashed: count('trash'),
    bytesTrashed: decisions.filter((d) => d.decision === 'trash').reduce((n, d) => n + d.bytes, 0),
    protected: count('protected'),
    kept: count('keep'),
    failed: count('failed'),
    gone: count('gone'),
  };
}
