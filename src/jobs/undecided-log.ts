import type { MessageDecision, RunState } from '../domain/model.js';
import type { JobDeps } from './job-deps.js';

/** Says in the run's log, in plain words, what could not be decided and why. */
export async function logUndecided(
  deps: JobDeps,
  run: RunState,
  decisions: readonly MessageDecision[],
): Promise<void> {
  const failed = decisions.filter((d) => d.decision === 'failed');
  if (failed.length === 0) return;
  const why = [...new Set(failed.map((d) => d.reason.replace(/^kept: /, '')))].slice(0, 3);
  const count = failed.length === 1 ? '1 message' : `${failed.length} messages`;
  await deps.store.appendRunError(run.id, {
    at: deps.clock.now(),
    message: `${count} could not be decided, even on a second try (${why.join('; ')}): left in place and counted as failed.`,
  });
}
