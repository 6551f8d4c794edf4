import { MailboxUnavailable, ReconnectNeeded } from '../domain/mailbox-errors.js';
import type { RunState, User } from '../domain/model.js';
import { expireReviewTask } from './expire-review.js';
import { type JobDeps, watchTask } from './job-deps.js';
import { releaseFullScan } from './scan-admission.js';

/** Watches expiring within this are renewed (Gmail's last 7 days; the cron runs daily). */
export const RENEW_WITHIN_MS = 2 * 86_400_000;

/**
 * A full scan reached DONE: its user gets a cursor and a watch (a task, so it is retried). A
 * review run that reached REVIEW gets the task that cancels it if it is never applied. Either
 * gives back the day's Gmail budget it was admitted with.
 */
export async function afterRunFinished(deps: JobDeps, run: RunState): Promise<void> {
  // Its Gmail reading is over: what it promised of the day's budget goes to the next scans.
  await releaseFullScan(deps, run);
  if (run.status === 'REVIEW') return deps.queue.enqueue(expireReviewTask(run.id));
  if (run.kind !== 'full' || run.status !== 'DONE') return;
  await deps.queue.enqueue(watchTask(run.userId, deps.clock.now(), run.id));
}

/**
 * The watch task. With a finished full scan (`runId`), the cursor first moves to the history
 * id the scan captured before listing, so the first sync reads everything that arrived during
 * the scan; then `users.watch` on the topic. Without one it renews a watch that is due (a late
 * or repeated task finds it renewed and spends nothing).
 */
export async function watchMailbox(deps: JobDeps, userId: string, runId?: string): Promise<void> {
  const { store, clock } = deps;
  let user = await store.getUser(userId);
  if (!user || user.needsReconnect || user.refreshToken === null) return;
  if (runId !== undefined) {
    const run = await store.getRun(runId);
    if (!run || run.userId !== userId || run.kind !== 'full' || run.status !== 'DONE') return;
    if (run.startHistoryId !== null) await moveCursorTo(deps, user, run.startHistoryId);
  } else if (user.cursor === null) {
    return;
  } else if (user.watch && user.watch.expiration > clock.now() + RENEW_WITHIN_MS) {
    return;
  }
  const topic = deps.watchTopic;
  if (topic === undefined) {
    deps.log.info('no Pub/Sub topic configured: no watch, catch-up syncs only', { userId });
    return;
  }
  const mailbox = await deps.mailboxFor(user);
  let expiration: number;
  try {
    ({ expiration } = await mailbox.watch(topic));
  } catch (error) {
    if (error instanceof ReconnectNeeded || error instanceof MailboxUnavailable) throw error;
    // A missing topic or publish grant: no retry fixes it. Catch-up syncs go on meanwhile, and
    // the next one asks for the watch again.
    deps.log.error('gmail refused the watch: check the topic and its publish grant', {
      userId,
      topic,
      error,
    });
    return;
  }
  user = (await store.getUser(userId)) ?? user;
  await store.updateUser(userId, {
    watch: { topic, expiration, lastNotificationAt: user.watch?.lastNotificationAt ?? null },
    updatedAt: clock.now(),
  });
  deps.log.info('gmail watch registered', {
    userId,
    expiresAt: new Date(expiration).toISOString(),
  });
}

/** Forward only: a sync that already went further (a rerun scan's old id) keeps its cursor. */
async function moveCursorTo(deps: JobDeps, user: User, historyId: string): Promise<void> {
  let current = user.cursor?.historyId ?? null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (current !== null && BigInt(current) >= BigInt(historyId)) return;
    if (await deps.store.advanceCursor(user.id, current, historyId, deps.clock.now())) return;
    current = (await deps.store.getUser(user.id))?.cursor?.historyId ?? null;
  }
}
