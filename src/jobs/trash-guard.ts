import type { Mailbox, Store } from '../domain/ports.js';
import { protectionReason } from '../domain/protection.js';

export interface TrashCandidate {
  readonly id: string;
  readonly threadId: string;
}

/**
 * Decisions may be minutes old when their trash is flushed (a scan by sender decides from
 * search results, and the outbox waits for more trash): before anything is trashed, messages
 * starred, labelled or replied to since `sinceHistoryId` are protected after all. One history
 * call covers every candidate of a flush. When Gmail no longer has that history, the
 * candidates are read and checked again. Returns the ids to protect.
 */
export async function changedSince(
  store: Pick<Store, 'addRepliedThreads' | 'repliedThreads'>,
  userId: string,
  mailbox: Mailbox,
  sinceHistoryId: string,
  candidates: readonly TrashCandidate[],
): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const changed = await mailbox.protectedSince(sinceHistoryId);
  if (changed === 'expired') {
    const fresh = await mailbox.getMetadata(candidates.map((c) => c.id));
    const replied = await store.repliedThreads(
      userId,
      [...fresh.values()].map((m) => m.threadId),
    );
    return new Set(
      candidates
        .filter((c) => {
          const m = fresh.get(c.id);
          return !m || protectionReason(m, { keepSenders: [], repliedThreads: replied }) !== null;
        })
        .map((c) => c.id),
    );
  }
  await store.addRepliedThreads(userId, [...changed.threadIds]);
  return new Set(
    candidates
      .filter((c) => changed.messageIds.has(c.id) || changed.threadIds.has(c.threadId))
      .map((c) => c.id),
  );
}

/** The earliest of some Gmail history ids (decimal, up to 64 bits). */
export function earliestHistoryId(ids: readonly string[]): string | undefined {
  return ids.reduce<string | undefined>(
    (min, id) => (min === undefined || BigInt(id) < BigInt(min) ? id : min),
    undefined,
  );
}
