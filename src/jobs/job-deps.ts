import type { GmailUnitTable } from '../domain/gmail-quota.js';
import type { User } from '../domain/model.js';
import type { Classifier, Clock, Ids, MailboxFactory, Store, TaskQueue } from '../domain/ports.js';
import type { QuotaLedger } from '../domain/quota-ledger.js';
import type { Logger } from '../log.js';

/** What the use cases drive: ports only, so every mode runs the same jobs. */
export interface JobDeps {
  readonly store: Store;
  readonly queue: TaskQueue;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  readonly mailboxFor: MailboxFactory;
  readonly classifierFor: (user: User) => Promise<Classifier>;
  /** How full scans cover the mailbox (see plan-by-sender.ts). */
  readonly scanStrategy: 'by-sender' | 'by-message';
  /** The Pub/Sub topic Gmail watches publish to; undefined: no watch, catch-up syncs only. */
  readonly watchTopic: string | undefined;
  /**
   * The day's Gmail budget full scans are admitted into (scan-admission.ts); none: every scan
   * starts at once.
   */
  readonly dailyQuota?: { readonly ledger: QuotaLedger; readonly units: GmailUnitTable };
}

export const TASK_PATHS = {
  plan: '/tasks/plan',
  batch: '/tasks/batch',
  sync: '/tasks/sync',
  watch: '/tasks/watch',
  comingOfAge: '/tasks/coming-of-age',
  flushTrash: '/tasks/flush-trash',
} as const;

/** The longest a decided batch's trash waits in the outbox for more to join it. */
export const TRASH_FLUSH_WINDOW_MS = 60_000;
/**
 * A sync's trash waits for the next syncs' to share one batchModify (50 units, where each sync
 * would pay its own): it goes once no sync has queued trash for this long. New mail comes in
 * bursts, a notification a second at most, so a burst's trash goes in one call.
 */
export const SYNC_TRASH_QUIET_MS = 10_000;
/** The longest a sync's trash waits while more keeps coming (the bound the owner is told). */
export const SYNC_TRASH_MAX_WAIT_MS = 60_000;

/**
 * Notifications within one window make one sync, run when the window closes. Short enough that
 * new mail is decided within 5 s of its notification (window + gap + the sync's own work);
 * Gmail's one notification a second per user bounds how many syncs a stream of mail makes.
 */
export const SYNC_WINDOW_MS = 2_000;
/**
 * Gmail drops a user's notifications that come less than a second after the last one sent.
 * A sync that starts at least this long after its notification also reads the changes whose
 * notifications were dropped.
 */
export const DROPPED_NOTIFICATION_GAP_MS = 1_500;
const DAY = 86_400_000;

export function planTask(runId: string) {
  return { name: `plan-${runId}`, path: TASK_PATHS.plan, payload: { runId } };
}

export function batchTask(runId: string, batchNo: number) {
  return { name: `batch-${runId}-${batchNo}`, path: TASK_PATHS.batch, payload: { runId, batchNo } };
}

/**
 * The sync of a user's history, one per window: every notification of a burst gives the same
 * task name, and the task runs after the window's last moment (and after the gap in which
 * Gmail drops notifications), so it reads all of those changes.
 */
export function syncTask(userId: string, now: number) {
  const window = Math.floor(now / SYNC_WINDOW_MS);
  return {
    name: `sync-${userId}-${window}`,
    path: TASK_PATHS.sync,
    payload: { userId },
    delayMs: (window + 1) * SYNC_WINDOW_MS - now + DROPPED_NOTIFICATION_GAP_MS,
  };
}

/** Registers (after a full scan, with its run) or renews (once a day at most) the Gmail watch. */
export function watchTask(userId: string, now: number, runId?: string) {
  const name = runId ? `watch-${userId}-${runId}` : `watch-${userId}-${Math.floor(now / DAY)}`;
  return { name, path: TASK_PATHS.watch, payload: runId ? { userId, runId } : { userId } };
}

/** The daily coming-of-age pass of a user (coming-of-age.ts): one a day, whoever asks. */
export function comingOfAgeTask(userId: string, now: number) {
  return {
    name: `coming-of-age-${userId}-${Math.floor(now / DAY)}`,
    path: TASK_PATHS.comingOfAge,
    payload: { userId },
  };
}

/** A flush of the user's trash outbox now: the rest of an outbox one flush could not carry. */
export function flushTask(userId: string, now: number) {
  return { name: `flush-${userId}-${now}`, path: TASK_PATHS.flushTrash, payload: { userId } };
}

/**
 * The flush of a sync's trash queued at `queuedAt`, once the outbox has been quiet for
 * SYNC_TRASH_QUIET_MS after it: one task per queued entry (names dedupe a retried batch's), and
 * the one of the last entry of a burst flushes it all (see flushSyncTrash).
 */
export function syncFlushTask(userId: string, queuedAt: number, now: number) {
  return {
    name: `flush-syncs-${userId}-${queuedAt}`,
    path: TASK_PATHS.flushTrash,
    payload: { userId, after: queuedAt },
    delayMs: Math.max(0, queuedAt + SYNC_TRASH_QUIET_MS - now),
  };
}
