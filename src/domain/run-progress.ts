import type { LlmUsage, Run, RunCounters, RunStatus } from './model.js';
import { FINAL_STATUSES } from './model.js';

/**
 * What `completeBatch` and `finishPlanning` do to a run, as pure functions, so every Store
 * adapter applies the same rules inside its own transaction.
 */

export const MAX_RUN_ERRORS = 50;

export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export function addCounters(a: RunCounters, b: RunCounters): RunCounters {
  return {
    listed: a.listed + b.listed,
    processed: a.processed + b.processed,
    trashed: a.trashed + b.trashed,
    bytesTrashed: a.bytesTrashed + b.bytesTrashed,
    protected: a.protected + b.protected,
    kept: a.kept + b.kept,
    failed: a.failed + b.failed,
    gone: a.gone + b.gone,
  };
}

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    calls: a.calls + b.calls,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}

/** Every planned batch is done: only meaningful once planning has set `batchCount`. */
function allBatchesDone(run: Run): boolean {
  return run.batchCount !== null && run.batchesDone >= run.batchCount;
}

/** The run, moved to DONE if it is fully planned and every batch is done; a final run stays. */
export function finishedIfComplete(run: Run, now: number): Run {
  return allBatchesDone(run) && !isFinal(run.status)
    ? { ...run, status: 'DONE', endedAt: now }
    : run;
}

/**
 * A pending batch just finished: its counters and usage join the run's, and the last batch
 * of a fully planned run ends it. A final status (a cancelled run, say) never changes.
 */
export function withBatchCompleted(
  run: Run,
  batch: { counters: RunCounters; llm: LlmUsage; now: number },
): Run {
  const counted: Run = {
    ...run,
    counters: addCounters(run.counters, batch.counters),
    llm: addUsage(run.llm, batch.llm),
    batchesDone: run.batchesDone + 1,
  };
  return finishedIfComplete(counted, batch.now);
}

/**
 * Planning listed `listed` ids into `batchCount` batches: the run now waits for its last
 * batches (DELETING), or is DONE when they are all done already. A final run is left alone,
 * which also makes a repeated call harmless.
 */
export function withPlanningFinished(
  run: Run,
  planned: { batchCount: number; listed: number; now: number },
): Run {
  if (isFinal(run.status)) return run;
  const recorded: Run = {
    ...run,
    status: 'DELETING',
    batchCount: planned.batchCount,
    // The exact number in scope is known now; the profile's messagesTotal was an estimate.
    total: planned.listed,
    counters: { ...run.counters, listed: planned.listed },
  };
  return finishedIfComplete(recorded, planned.now);
}

export function withError(run: Run, error: Run['errors'][number]): Run {
  return { ...run, errors: [...run.errors, error].slice(-MAX_RUN_ERRORS) };
}
