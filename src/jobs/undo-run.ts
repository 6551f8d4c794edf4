import { ReconnectNeeded } from '../domain/mailbox-errors.js';
import { FINAL_STATUSES, type Run } from '../domain/model.js';
import { UNDO_REQUESTED, UNDO_STOPPED, undoneMessage, undoState } from '../domain/undo-log.js';
import { AppError } from '../errors.js';
import type { JobDeps } from './job-deps.js';

export const UNDO_TASK_PATH = '/tasks/undo';
/** Batches one undo task gives back before it hands over to the next: 10,000 messages at most. */
const BATCHES_PER_TASK = 20;

/** The undo of `runId` from batch `fromBatch`, `restored` messages given back so far. */
export function undoTask(runId: string, fromBatch: number, restored: number) {
  return {
    name: `undo-${runId}-${fromBatch}`,
    path: UNDO_TASK_PATH,
    payload: { runId, fromBatch, restored },
  };
}

/**
 * Asks for the undo of a finished run of the user's: the request is written to the run's log
 * and a task does the work. A run already undone (or being undone) is left as it is, so a
 * second click changes nothing.
 */
export async function requestUndo(deps: JobDeps, userId: string, runId: string): Promise<Run> {
  const run = await deps.store.getRun(runId);
  if (!run || run.userId !== userId) throw new AppError('not_found', 'No such run');
  if (!FINAL_STATUSES.includes(run.status)) {
    throw new AppError('conflict', 'This run is still under way: undo it once it has finished');
  }
  if (run.counters.trashed === 0 || undoState(run.errors) !== 'none') return run;
  await deps.store.appendRunError(runId, { at: deps.clock.now(), message: UNDO_REQUESTED });
  await deps.queue.enqueue(undoTask(runId, 0, 0));
  deps.log.info('undo requested', { runId });
  return (await deps.store.getRun(runId)) ?? run;
}

/**
 * The undo task: removes TRASH from every message the run's batches trashed (batchModify,
 * 1,000 ids a call), a few batches per task so a big run is given back in resumable parts.
 * Untrashing is idempotent, so a retried part does no harm. The last part logs the count.
 */
export async function undoRun(
  deps: JobDeps,
  runId: string,
  fromBatch: number,
  restored: number,
): Promise<void> {
  const { store } = deps;
  const run = await store.getRun(runId);
  if (!run || undoState(run.errors) !== 'pending') return;
  const user = await store.getUser(run.userId);
  if (!user) return;
  let count = restored;
  try {
    const mailbox = await deps.mailboxFor(user);
    for (let batchNo = fromBatch; batchNo < fromBatch + BATCHES_PER_TASK; batchNo++) {
      const batch = await store.getBatch(runId, batchNo);
      if (!batch) {
        await store.appendRunError(runId, { at: deps.clock.now(), message: undoneMessage(count) });
        deps.log.info('run undone', { runId, restored: count });
        return;
      }
      const ids = batch.decisions.filter((d) => d.decision === 'trash').map((d) => d.id);
      if (ids.length > 0) await mailbox.untrash(ids);
      count += ids.length;
    }
  } catch (error) {
    if (!(error instanceof ReconnectNeeded)) throw error;
    await store.updateUser(user.id, { needsReconnect: true, updatedAt: deps.clock.now() });
    await store.appendRunError(runId, { at: deps.clock.now(), message: UNDO_STOPPED });
    deps.log.warn('undo stopped: reconnect needed', { runId });
    return;
  }
  await deps.queue.enqueue(undoTask(runId, fromBatch + BATCHES_PER_TASK, count));
}
