import type { Run, RunState, User } from '../domain/model.js';
import { estimateScanUnits } from '../domain/scan-estimate.js';
import { dailyQuotaWait, plannedStartOf } from '../domain/scan-waits.js';
import { type JobDeps, TASK_PATHS } from './job-deps.js';

/**
 * Before a QUEUED full scan starts: its units, estimated from the mailbox size (getProfile,
 * 1 unit) and the strategy, must fit what is left of the day's project budget. If they do
 * not, the run stays QUEUED, its log says when it starts (the next Pacific midnight, when
 * Google resets the daily quota), and its plan task is queued for then. Ongoing cleanup never
 * comes here: it is never held back by scans waiting in line. True: the scan may start.
 */
export async function admitFullScan(deps: JobDeps, run: Run, user: User): Promise<boolean> {
  const quota = deps.dailyQuota;
  if (!quota || run.kind !== 'full') return true;
  const mailbox = await deps.mailboxFor(user);
  const { messagesTotal } = await mailbox.profile();
  const bySender =
    deps.scanStrategy === 'by-sender' && (await deps.classifierFor(user)).scanBySender;
  const units = estimateScanUnits(
    messagesTotal,
    bySender ? 'by-sender' : 'by-message',
    quota.units,
  );
  const answer = await quota.ledger.admitScan(run.id, units);
  if (answer.admitted) return true;
  const now = deps.clock.now();
  if (plannedStartOf(run) !== answer.startsAt) {
    await deps.store.appendRunError(run.id, { at: now, message: dailyQuotaWait(answer.startsAt) });
  }
  // Named per day: a retried task queues it once, and the next day's wait gets its own.
  await deps.queue.enqueue({
    name: `plan-${run.id}-${answer.startsAt}`,
    path: TASK_PATHS.plan,
    payload: { runId: run.id },
    delayMs: Math.max(0, answer.startsAt - now),
  });
  deps.log.info('full scan waits for the daily quota', {
    runId: run.id,
    units,
    startsAt: new Date(answer.startsAt).toISOString(),
  });
  return false;
}

/** A full scan that reached REVIEW or DONE gives back what it promised of the day. */
export async function releaseFullScan(deps: JobDeps, run: RunState): Promise<void> {
  if (!deps.dailyQuota || run.kind !== 'full') return;
  await deps.dailyQuota.ledger.releaseScan(run.id);
}
