import type { MessageMeta } from './message.js';
import type { MessageDecision, RunCounters } from './model.js';
import type { ClassifierAnswer } from './ports.js';
import { type ProtectionContext, protectionReason } from './protection.js';
import { oldBefore } from './scan-partitions.js';

/** The owner's minimum age, and the moment the run judges age at. */
export interface MinimumAge {
  readonly days: number;
  readonly now: number;
  /** Ids the owner chose to trash at any age (senders they unsubscribed from). */
  readonly exempt?: ReadonlySet<string>;
}

/** The reason a trash decision becomes keep for a message younger than the owner's minimum. */
export function tooYoungReason(days: number): string {
  return `younger than your minimum age of ${days} day${days === 1 ? '' : 's'}`;
}

/**
 * Whether a message is younger than the owner's minimum age at `now`. The cut-off is whole
 * seconds, as Gmail search (the scan by sender, the coming-of-age pass) can express it.
 */
export function tooYoung(message: Pick<MessageMeta, 'internalDate'>, age: MinimumAge): boolean {
  return age.days > 0 && message.internalDate >= oldBefore(age.now, age.days) * 1000;
}

/**
 * The decision for every id of a batch. Protection rules come first and cannot be bypassed;
 * a message the classifier could not decide (no well-formed answer) is left in place and
 * counted as failed; an id without metadata no longer exists. With `minAge`, whatever any
 * classifier answered, mail younger than the owner's minimum is kept (the coming-of-age pass
 * looks at it again once it is old enough).
 */
export function decide(
  ids: readonly string[],
  metadata: ReadonlyMap<string, MessageMeta>,
  answers: ReadonlyMap<string, ClassifierAnswer>,
  ctx: ProtectionContext,
  minAge?: MinimumAge,
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
    if (
      answer.action === 'trash' &&
      minAge &&
      !minAge.exempt?.has(id) &&
      tooYoung(message, minAge)
    ) {
      return { ...base, decision: 'keep', reason: tooYoungReason(minAge.days) };
    }
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

/**
 * What a batch's decisions add to its run's counters. Without `trashing` (a review run), trash
 * decisions count as processed only: nothing went to Trash yet.
 */
export function countDecisions(
  decisions: readonly MessageDecision[],
  { trashing }: { trashing: boolean } = { trashing: true },
): RunCounters {
  const count = (kind: MessageDecision['decision']) =>
    decisions.filter((d) => d.decision === kind).length;
  const trash = trashing ? decisions.filter((d) => d.decision === 'trash') : [];
  return {
    listed: 0,
    processed: decisions.length,
    trashed: trash.length,
    bytesTrashed: trash.reduce((n, d) => n + d.bytes, 0),
    protected: count('protected'),
    kept: count('keep'),
    failed: count('failed'),
    gone: count('gone'),
  };
}
