import type { QueuedTrash, Run } from './model.js';
import type { CompleteBatch } from './run-store.js';

/** The Store's trash outbox: decided trash waiting, per user, for one shared batchModify. */
export interface TrashOutboxStore {
  /**
   * Puts a decided batch's trash in its user's trash outbox, unless that batch's entry is
   * there already (a retry adds nothing). Returns how many ids the user's outbox now holds.
   */
  queueTrash(userId: string, entry: QueuedTrash): Promise<number>;
  /** Up to `limit` entries of the user's trash outbox, oldest first. */
  queuedTrash(userId: string, limit: number): Promise<QueuedTrash[]>;
  /** Takes flushed (or dropped) entries out of the user's outbox; absent ones are ignored. */
  unqueueTrash(
    userId: string,
    entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
  ): Promise<void>;
  /**
   * A flush's end: completes each batch of `completions` as completeBatch does, its entry
   * leaving the outbox in the same transaction (so an entry is there exactly until its batch
   * is counted), then takes the other `entries` out (dropped, or counted already). Returns
   * what completeBatch returned, per completion, in order.
   */
  finishFlush(
    userId: string,
    entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
    completions: readonly CompleteBatch[],
  ): Promise<{ applied: boolean; run: Run }[]>;
}
