import { FINAL_STATUSES, type RunState } from '../domain/model.js';
import {
  pauseReasonOf,
  RUN_PAUSE_MESSAGES,
  type RunPauseReason,
  resumedMessage,
} from '../domain/run-pauses.js';
import { batchTask, type JobDeps, planTask } from './job-deps.js';

/**
 * A run paused by its owner's OpenAI key (rejected, out of quota, spend cap) or Google grant
 * (revoked, expired) keeps its status; its log ends with the pause message, which the status
 * page shows, and its unfinished work waits (its tasks end instead of retrying). What the
 * owner does next resumes it: a new key, a raised cap, a new sign-in. A run whose owner never
 * comes back waits, holding no task; disconnecting cancels it with the user's other runs.
 */
export async function pauseRun(deps: JobDeps, runId: string, reason: RunPauseReason) {
  const run = await deps.store.getRun(runId);
  if (!run || FINAL_STATUSES.includes(run.status)) return;
  const message = RUN_PAUSE_MESSAGES[reason];
  // Every queued batch of the run pauses the same way: say it once.
  if (run.errors.at(-1)?.message !== message) {
    await deps.store.appendRunError(runId, { at: deps.clock.now(), message });
  }
  deps.log.warn('run paused until the user acts', { runId, reason });
}

/**
 * Queues the unfinished work of the user's paused runs again and returns how many resumed.
 * With `reason`, only the runs paused for it (a raised spend cap, a new sign-in); without,
 * those paused by the OpenAI key or cap: a new key cannot give back Google access.
 */
export async function resumePausedRuns(
  deps: JobDeps,
  userId: string,
  reason?: RunPauseReason,
): Promise<number> {
  let resumed = 0;
  for (const run of await deps.store.listRuns(userId, 20)) {
    if (FINAL_STATUSES.includes(run.status)) continue;
    const pausedFor = pauseReasonOf(run.errors);
    if (pausedFor === undefined) continue;
    if (reason ? pausedFor !== reason : pausedFor === 'google_access') continue;
    const now = deps.clock.now();
    await deps.store.appendRunError(run.id, { at: now, message: resumedMessage(pausedFor) });
    await requeueRunWork(deps, run, now);
    deps.log.info('paused run resumed', { runId: run.id, reason: pausedFor });
    resumed++;
  }
  return resumed;
}

/**
 * Queues a run's unfinished work again: its plan, if a full scan's planning has not ended (or
 * has, and the run waits to be counted complete: see plan-run.ts), and the first batch not done (batches go one after another, see batch-chain.ts: it carries the
 * rest). A task's own name stays taken for a while after it ended, so these get their own;
 * work that is in fact still under way meets its copy as any duplicate delivery does.
 */
export async function requeueRunWork(deps: JobDeps, run: RunState, now: number): Promise<void> {
  // A planned full scan's plan task also ends a DELETING run whose batches are all counted.
  if (run.kind === 'full' && (run.batchCount === null || run.status === 'DELETING')) {
    const task = planTask(run.id);
    await deps.queue.enqueue({ ...task, name: `${task.name}-resume-${now}` });
  }
  const waiting = (await deps.store.listBatches(run.id))
    .filter((b) => b.status !== 'done')
    .map((b) => b.batchNo);
  if (waiting.length > 0) {
    const task = batchTask(run.id, Math.min(...waiting));
    await deps.queue.enqueue({ ...task, name: `${task.name}-resume-${now}` });
  }
}
