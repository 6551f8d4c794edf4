import type { PlannedBatch, RunStatus } from '../domain/model.js';
import { batchTask, type JobDeps } from './job-deps.js';
import { afterRunFinished } from './watch-mailbox.js';

/**
 * The batches of one run go one after another. The user's Gmail quota is the limit, so
 * running them side by side would not finish sooner; one at a time, each batch finishes (and
 * shows as progress) in turn, and one user's run holds one task slot, not dozens. A batch's
 * turn comes once the one before is decided: its trash may still wait in the outbox.
 *
 * Two writers meet here: the plan task saves batch N and queues it if N-1 is decided; the
 * task of batch N-1, once decided, queues N if it is saved. Each writes first and reads after,
 * so at least one of them sees the other; task names make a double queueing harmless.
 */
export async function enqueueBatchIfReady(
  deps: JobDeps,
  runId: string,
  batchNo: number,
): Promise<void> {
  if (batchNo > 0) {
    const previous = await deps.store.getBatch(runId, batchNo - 1);
    if (previous === undefined || previous.status === 'pending') return;
  }
  await deps.queue.enqueue(batchTask(runId, batchNo));
}

/**
 * After batch N is decided: queue N+1 if the plan has saved it and it is not done yet. After
 * the last one, a finished full scan goes on to its watch (also when a retried task gets here).
 */
export async function enqueueNextBatch(
  deps: JobDeps,
  runId: string,
  batchNo: number,
): Promise<void> {
  const next = await deps.store.getBatch(runId, batchNo + 1);
  if (next && next.status !== 'done') await deps.queue.enqueue(batchTask(runId, batchNo + 1));
  if (next) return;
  // No next batch: the run ended here, or its plan has not saved the next one yet (the run is
  // still PROCESSING or DELETING, and its reading and its share of the day go on).
  const run = await deps.store.getRunState(runId);
  if (run && !UNFINISHED.includes(run.status)) await afterRunFinished(deps, run);
}

const UNFINISHED: readonly RunStatus[] = ['QUEUED', 'PROCESSING', 'DELETING'];

/**
 * Saves a batch the plan task listed, unless that batch number is taken: two plan tasks of one
 * run can overlap (Cloud Tasks delivers at least once, and retries a plan that outlives its
 * deadline while it still runs). Whichever saved a number first keeps it; the other plan task
 * learns here that it is not the planner any more (false) and stops, so no message lands in
 * two batches and none is skipped.
 */
export async function saveOwnBatch(
  deps: JobDeps,
  runId: string,
  batch: PlannedBatch,
): Promise<boolean> {
  // Planning already finished: this is a late duplicate, and its batch would never be processed.
  if ((await deps.store.getRunState(runId))?.batchCount !== null) return false;
  await deps.store.putBatches(runId, [batch]);
  const stored = await deps.store.getBatch(runId, batch.batchNo);
  const same =
    stored !== undefined &&
    stored.messageIds.length === batch.messageIds.length &&
    stored.messageIds.every((id, i) => id === batch.messageIds[i]);
  if (!same) deps.log.info('another plan task of this run saved this batch: stopping', { runId });
  return same;
}
