import {
  FINAL_STATUSES,
  type Run,
  type RunMode,
  ZERO_COUNTERS,
  ZERO_USAGE,
} from '../domain/model.js';
import { AppError } from '../errors.js';
import { type JobDeps, planTask } from './job-deps.js';

const REPLACED =
  'A new full scan replaced this review before it was applied: nothing was moved to Trash.';

/**
 * Creates a full-scan run (QUEUED) and its plan task. A user with a run still under way gets
 * that run back instead of a second one, so a double click starts nothing twice; a review
 * waiting for its owner is cancelled instead (`mode` says whether the new run trashes as it
 * decides or waits for a review).
 */
export async function startFullScan(
  deps: JobDeps,
  userId: string,
  mode: RunMode = 'auto',
): Promise<Run> {
  const user = await deps.store.getUser(userId);
  if (!user) throw new AppError('not_found', 'No such user');
  if (user.needsReconnect) {
    throw new AppError('conflict', 'Google access was revoked or expired: sign in again first');
  }
  // Incremental runs (syncs) may be newer than a full scan still under way.
  const recent = await deps.store.listRuns(userId, 20);
  const latest = recent.find((r) => r.kind === 'full');
  // A review waiting for its owner gives way to the new scan, nothing trashed.
  if (latest?.status === 'REVIEW') {
    const now = deps.clock.now();
    const replaced = await deps.store.updateRun(latest.id, ['REVIEW'], {
      status: 'CANCELLED',
      endedAt: now,
    });
    if (replaced) await deps.store.appendRunError(latest.id, { at: now, message: REPLACED });
  } else if (latest && !FINAL_STATUSES.includes(latest.status)) {
    return latest;
  }

  const run: Run = {
    id: deps.ids.runId(),
    userId,
    kind: 'full',
    mode,
    status: 'QUEUED',
    scheduledAt: deps.clock.now(),
    startedAt: null,
    endedAt: null,
    startHistoryId: null,
    total: 0,
    batchCount: null,
    batchesDone: 0,
    counters: ZERO_COUNTERS,
    llm: ZERO_USAGE,
    errors: [],
    appliedAt: null,
  };
  await deps.store.createRun(run);
  await deps.queue.enqueue(planTask(run.id));
  deps.log.info('full scan queued', { runId: run.id, mode });
  return run;
}
