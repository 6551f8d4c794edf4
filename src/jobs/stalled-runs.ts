import { pauseReasonOf } from '../domain/run-pauses.js';
import { plannedStartOf } from '../domain/scan-waits.js';
import type { JobDeps } from './job-deps.js';
import { requeueRunWork } from './paused-runs.js';

/**
 * A run unfinished this long after it started is looked at by the daily check. The longest
 * honest run is a full scan message by message of a very large mailbox at the user's quota
 * (100,000 messages: 5.5 hours), and a scan waits at most a day for the project's budget.
 */
export const STALLED_AFTER_MS = 24 * 60 * 60_000;
/** Runs one daily check looks at; the rest wait for the next one. */
const PAGE = 1_000;

/** What the run's log says when the daily check queues its work again. */
export const STALLED_NOTE =
  'This run had not finished a day after it started: the daily check queued its unfinished work again.';

/**
 * The daily check for work a lost task holds up: Cloud Tasks gives up on a task after its
 * last attempt, and a run whose next step was that task would wait for good. Every run not
 * final a day after it started, neither paused for its owner nor waiting for the day's Gmail
 * budget, gets its unfinished work queued again (requeueRunWork; a copy of work that is in
 * fact under way changes nothing). Returns how many runs were queued again.
 */
export async function resumeStalledRuns(deps: JobDeps): Promise<number> {
  const now = deps.clock.now();
  let resumed = 0;
  for (const run of await deps.store.listUnfinishedRuns(PAGE)) {
    if (now - (run.startedAt ?? run.scheduledAt) < STALLED_AFTER_MS) continue;
    // A paused run waits for its owner (a new key, a new sign-in), which resumes it.
    if (pauseReasonOf(run.errors) !== undefined) continue;
    // A scan waiting for the day's Gmail budget has its plan task queued for its start; a day
    // past that start, it is late, and its plan task is queued again.
    const start = plannedStartOf(run);
    if (start !== undefined && now < start + STALLED_AFTER_MS) continue;
    await deps.store.appendRunError(run.id, { at: now, message: STALLED_NOTE });
    await requeueRunWork(deps, run, now);
    deps.log.warn('stalled run queued again', { runId: run.id, status: run.status });
    resumed++;
  }
  return resumed;
}
