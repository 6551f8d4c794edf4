import {
  CAP_RAISED_MESSAGE,
  type ClassifierPaused,
  isPausedLog,
  type PauseReason,
  RESUMED_MESSAGE,
} from '../domain/classifier-errors.js';
import { FINAL_STATUSES } from '../domain/model.js';
import { batchTask, type JobDeps } from './job-deps.js';

/**
 * A run paused by the user's OpenAI key (rejected, out of quota) keeps its status; its log
 * ends with the pause message, which the status page shows, and its unfinished batches wait
 * (their tasks end instead of retrying). Saving a key resumes it.
 */
export async function pauseRun(deps: JobDeps, runId: string, pause: ClassifierPaused) {
  const run = await deps.store.getRun(runId);
  if (!run || FINAL_STATUSES.includes(run.status)) return;
  // Every queued batch of the run pauses the same way: say it once.
  if (run.errors.at(-1)?.message !== pause.message) {
    await deps.store.appendRunError(runId, { at: deps.clock.now(), message: pause.message });
  }
  deps.log.warn('run paused until the user acts', {
    runId,
    reason: pause.reason,
  });
}

/**
 * Queues the unfinished batches of the user's paused runs again (with `reason`, only those
 * paused for it: a raised spend cap); returns how many resumed.
 */
export async function resumePausedRuns(
  deps: JobDeps,
  userId: string,
  reason?: PauseReason,
): Promise<number> {
  let resumed = 0;
  for (const run of await deps.store.listRuns(userId, 20)) {
    if (FINAL_STATUSES.includes(run.status) || !isPausedLog(run.errors, reason)) continue;
    const now = deps.clock.now();
    const message = reason === 'spend_cap' ? CAP_RAISED_MESSAGE : RESUMED_MESSAGE;
    await deps.store.appendRunError(run.id, { at: now, message });
    for (const batch of await deps.store.listBatches(run.id)) {
      if (batch.status === 'done') continue;
      // The batch's own task name stays taken for a while after its task ended.
      const task = batchTask(run.id, batch.batchNo);
      await deps.queue.enqueue({ ...task, name: `${task.name}-resume-${now}` });
    }
    deps.log.info('paused run resumed', { runId: run.id });
    resumed++;
  }
  return resumed;
}
