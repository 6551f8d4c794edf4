import { AggregateField, type DocumentReference, FieldPath } from '@google-cloud/firestore';
import { z } from 'zod';
import type { QueuedTrash } from '../../domain/model.js';
import { AppError } from '../../errors.js';
import { type FirestoreContext, isAlreadyExists } from './firestore-context.js';
import { trashOutbox } from './firestore-paths.js';

const entryDoc = z.object({
  runId: z.string(),
  batchNo: z.number().int().nonnegative(),
  ids: z.array(z.string()),
  threadIds: z.array(z.string()),
  count: z.number().int(),
  queuedAt: z.number().int(),
});

/** An entry as its document holds it. */
export function entryData(entry: QueuedTrash): z.infer<typeof entryDoc> {
  return {
    ...entry,
    ids: [...entry.ids],
    threadIds: [...entry.threadIds],
    count: entry.ids.length,
  };
}

/** Whole numbers up to 2^53 sort as text once padded: the id orders a run's entries. */
const entryId = (runId: string, batchNo: number) => `${runId}-${String(batchNo).padStart(16, '0')}`;

/**
 * `users/{userId}/trashOutbox/{runId}-{batchNo}`: one document per decided batch whose trash
 * waits for a flush (at most 500 ids, far below Firestore's 1 MiB). Created, never updated,
 * so a retried queueing changes nothing.
 */
export class FirestoreTrashOutbox {
  constructor(private readonly ctx: FirestoreContext) {}

  async queue(userId: string, entry: QueuedTrash): Promise<number> {
    try {
      await this.entryRef(userId, entry).create(entryData(entry));
      this.ctx.meter.write();
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    return this.total(userId);
  }

  /** Where a batch's entry lives (one document per batch: a retry finds it there). */
  entryRef(userId: string, entry: Pick<QueuedTrash, 'runId' | 'batchNo'>): DocumentReference {
    return trashOutbox(this.ctx.db, userId).doc(entryId(entry.runId, entry.batchNo));
  }

  /** How many ids the user's outbox holds. */
  async total(userId: string): Promise<number> {
    const total = await trashOutbox(this.ctx.db, userId)
      .aggregate({ ids: AggregateField.sum('count') })
      .get();
    // An aggregation is billed one read per 1,000 index entries it goes through.
    this.ctx.meter.read(1);
    return total.data().ids ?? 0;
  }

  async oldest(userId: string, limit: number): Promise<QueuedTrash[]> {
    const query = trashOutbox(this.ctx.db, userId)
      .orderBy('queuedAt')
      .orderBy(FieldPath.documentId())
      .limit(limit);
    const snapshot = await this.ctx.query(query);
    return snapshot.docs.map((doc) => {
      const parsed = entryDoc.safeParse(doc.data());
      if (!parsed.success) {
        throw new AppError('internal', 'A trash outbox document does not have its shape');
      }
      const { count: _count, ...entry } = parsed.data;
      return entry;
    });
  }

  async remove(
    userId: string,
    entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
  ): Promise<void> {
    for (let start = 0; start < entries.length; start += 500) {
      const batch = this.ctx.db.batch();
      const chunk = entries.slice(start, start + 500);
      for (const entry of chunk) {
        batch.delete(trashOutbox(this.ctx.db, userId).doc(entryId(entry.runId, entry.batchNo)));
      }
      await batch.commit();
      this.ctx.meter.delete(chunk.length);
    }
  }
}
