import type { JobDeps } from './job-deps.js';

export const EXPIRE_REVIEW_TASK_PATH = '/tasks/expire-review';
/** A review nobody applies within this is cancelled: its decisions grow stale. */
export const REVIEW_EXPIRES_MS = 7 * 86_400_000;
export const REVIEW_EXPIRED_MESSAGE =
  'This review was not applied within 7 days and has expired: nothing was moved to Trash.';

/** Queued when a review run reaches REVIEW; it runs once the review has had its 7 days. */
export function expireReviewTask(runId: string, delayMs = REVIEW_EXPIRES_MS) {
  return {
    name: `expire-review-${runId}-${delayMs}`,
    path: EXPIRE_REVIEW_TASK_PATH,
    payload: { runId },
    delayMs,
  };
}

/**
 * Cancels a review run still waiting at REVIEW, nothing trashed (compare-and-set: one applied
 * meanwhile goes on). The 7 days count from the run's start, which is before it reached
 * REVIEW; a task delivered before then is queued again for the time left.
 */
export async function expireReview(deps: JobDeps, runId: string): Promise<void> {
  const run = await deps.store.getRun(runId);
  if (run?.status !== 'REVIEW') return;
  const now = deps.clock.now();
  const due = (run.startedAt ?? run.scheduledAt) + REVIEW_EXPIRES_MS;
  if (now < due) return deps.queue.enqueue(expireReviewTask(runId, due - now));
  const cancelled = await deps.store.updateRun(runId, ['REVIEW'], {
    status: 'CANCELLED',
    endedAt: now,
  });
  if (!cancelled) return;
  await deps.store.appendRunError(runId, { at: now, message: REVIEW_EXPIRED_MESSAGE });
  deps.log.info('review expired', { runId });
}
