import { FINAL_STATUSES, type QueuedTrash, type Run, runState } from '../../domain/model.js';
import type {
  CompleteBatch,
  SavedTrashDecisions,
  SaveTrashDecisions,
} from '../../domain/run-store.js';
import { AppError } from '../../errors.js';
import type { FirestoreContext } from './firestore-context.js';
import { toBatch, toRun, toRunDoc } from './firestore-documents.js';
import { batchRef, runRef } from './firestore-paths.js';
import type { FirestoreRuns } from './firestore-runs.js';
import { entryData, type FirestoreTrashOutbox } from './firestore-trash-outbox.js';

/**
 * A decided batch's decisions and its outbox entry in one transaction (see
 * Store.saveTrashDecisions): the run and batch documents read, the batch and the entry
 * written. The entry is set, not created: the batch was pending, so no entry of it can hold
 * other ids, and a transaction retried under contention writes the same one again.
 */
export async function saveTrashDecisions(
  ctx: FirestoreContext,
  outbox: FirestoreTrashOutbox,
  input: SaveTrashDecisions,
): Promise<SavedTrashDecisions> {
  const { db, meter } = ctx;
  const { runId, batchNo } = input;
  const saved = await ctx.transaction(async (tx) => {
    const [runSnapshot, batchSnapshot] = await ctx.getDocs(
      [runRef(db, runId), batchRef(db, runId, batchNo)],
      tx,
    );
    if (!batchSnapshot?.exists) throw new AppError('not_found', 'No such batch', { batchNo });
    const batch = toBatch(batchSnapshot.data());
    const doc = runSnapshot?.exists ? toRunDoc(runSnapshot.data()) : undefined;
    if (!doc || FINAL_STATUSES.includes(doc.status) || batch.status !== 'pending') {
      return { batch, doc, queued: false };
    }
    const { decisions, llm } = input;
    tx.update(batchSnapshot.ref, { status: 'decided', decisions: [...decisions], llm });
    const entry = { runId, batchNo, ...input.trash };
    tx.set(outbox.entryRef(doc.userId, entry), entryData(entry));
    meter.write(2);
    return { batch: { ...batch, status: 'decided' as const, decisions, llm }, doc, queued: true };
  });
  // The run's state only: its counters (the shards) are not read, no caller needs them.
  const run = saved.doc && runState(toRun(saved.doc, saved.doc.base));
  const queued = saved.queued && run ? await outbox.total(run.userId) : undefined;
  return { batch: saved.batch, run, queued };
}

/**
 * A flush's end (see Store.finishFlush): each completion's transaction also deletes its
 * outbox entry, then the other entries go in one batched delete.
 */
export async function finishFlush(
  runs: FirestoreRuns,
  outbox: FirestoreTrashOutbox,
  userId: string,
  entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
  completions: readonly CompleteBatch[],
): Promise<{ applied: boolean; run: Run }[]> {
  const results: { applied: boolean; run: Run }[] = [];
  for (const input of completions) {
    results.push(await runs.completeBatch(input, outbox.entryRef(userId, input)));
  }
  const completed = new Set(completions.map((c) => `${c.runId} ${c.batchNo}`));
  await outbox.remove(
    userId,
    entries.filter((e) => !completed.has(`${e.runId} ${e.batchNo}`)),
  );
  return results;
}
