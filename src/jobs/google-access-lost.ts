import { FINAL_STATUSES, type User } from '../domain/model.js';
import type { JobDeps } from './job-deps.js';
import { pauseRun, resumePausedRuns } from './paused-runs.js';

/**
 * The grant a task starts with (the sealed refresh token), to tell, when Google refuses it,
 * whether the owner signed in again while the task ran: a new grant is not the revoked one.
 */
export type GrantAtStart = User['refreshToken'] | undefined;

/** The user's grant as the task starts, before it opens their mailbox. */
export async function grantOf(deps: JobDeps, userId: string | undefined): Promise<GrantAtStart> {
  if (userId === undefined) return undefined;
  return (await deps.store.getUser(userId))?.refreshToken;
}

/**
 * Google refused the user's grant during a task: the user is asked to sign in again (and their
 * watch is forgotten: Gmail stops it with the grant). Returns false when a sign-in gave a new
 * grant while the task ran: the flag is lifted again and the task may simply be retried.
 * Flagging first and reading after means a sign-in that lands at any moment wins.
 */
export async function flagReconnect(
  deps: JobDeps,
  userId: string,
  grantAtStart: GrantAtStart,
): Promise<boolean> {
  await deps.store.updateUser(userId, {
    needsReconnect: true,
    watch: null,
    updatedAt: deps.clock.now(),
  });
  const user = await deps.store.getUser(userId);
  if (!user || user.refreshToken === grantAtStart) return true;
  await deps.store.updateUser(userId, { needsReconnect: false, updatedAt: deps.clock.now() });
  deps.log.info('grant refused but replaced by a new sign-in meanwhile', { userId });
  return false;
}

/**
 * A run's task lost Google access: the run pauses (its claimed messages wait in its batches,
 * see paused-runs.ts) instead of failing, and the owner is asked to sign in again, which
 * resumes it. The pause is written before the grant is read again, so a sign-in during the
 * task either sees the paused run and resumes it, or is seen here and the run resumes at once.
 */
export async function pauseForReconnect(
  deps: JobDeps,
  runId: string,
  grantAtStart: GrantAtStart,
): Promise<void> {
  const run = await deps.store.getRun(runId);
  if (!run || FINAL_STATUSES.includes(run.status)) return;
  await pauseRun(deps, runId, 'google_access');
  if (!(await flagReconnect(deps, run.userId, grantAtStart))) {
    await resumePausedRuns(deps, run.userId, 'google_access');
  }
}
