import { comingOfAgeTask, type JobDeps, syncTask, watchTask } from './job-deps.js';
import { resumeStalledRuns } from './stalled-runs.js';
import { RENEW_WITHIN_MS } from './watch-mailbox.js';

/**
 * A user with no sync for this long gets a catch-up sync: Gmail's notifications can be late or
 * lost, and a watch can lapse. Shorter than a day, so a daily cron reaches everyone daily. It
 * costs one history.list (2 units) when nothing was missed.
 */
export const QUIET_AFTER_MS = 20 * 60 * 60_000;
/** Users one cron run handles per list; the rest are reached by the next run. */
const PAGE = 1_000;

export interface CronResult {
  readonly renewing: number;
  readonly catchingUp: number;
  readonly comingOfAge: number;
  /** Runs unfinished a day after they started, whose work was queued again. */
  readonly resumed: number;
}

/**
 * The daily cron: one watch task per user whose watch expires within two days, one sync per
 * connected user that has not synced for a while, each connected user's coming-of-age pass,
 * and the work of runs a lost task holds up (stalled-runs.ts). It only reads and enqueues, so
 * it answers quickly however many users there are; the tasks do the Gmail calls under quota.
 */
export async function renewWatches(deps: JobDeps): Promise<CronResult> {
  const now = deps.clock.now();
  const due = await deps.store.listUsersWithWatchBefore(now + RENEW_WITHIN_MS, PAGE);
  let renewing = 0;
  for (const user of due) {
    if (user.needsReconnect) {
      // Nothing can renew it until they sign in again (a sync then watches them again).
      await deps.store.updateUser(user.id, { watch: null, updatedAt: now });
      continue;
    }
    await deps.queue.enqueue(watchTask(user.id, now));
    renewing++;
  }
  const quiet = await deps.store.listUsersSyncedBefore(now - QUIET_AFTER_MS, PAGE);
  let catchingUp = 0;
  for (const user of quiet) {
    if (user.needsReconnect || user.refreshToken === null) continue;
    await deps.queue.enqueue(syncTask(user.id, now));
    catchingUp++;
  }
  // Every connected user with a finished scan (a cursor): one coming-of-age task a day each.
  const connected = await deps.store.listUsersSyncedBefore(now + 1, PAGE);
  let comingOfAge = 0;
  for (const user of connected) {
    if (user.needsReconnect || user.refreshToken === null) continue;
    await deps.queue.enqueue(comingOfAgeTask(user.id, now));
    comingOfAge++;
  }
  const resumed = await resumeStalledRuns(deps);
  deps.log.info('cron: watches, catch-ups and coming of age queued', {
    renewing,
    catchingUp,
    comingOfAge,
    resumed,
  });
  return { renewing, catchingUp, comingOfAge, resumed };
}
