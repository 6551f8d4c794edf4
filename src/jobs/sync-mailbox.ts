import type { Run, User } from '../domain/model.js';
import type { HistoryPage, Mailbox } from '../domain/ports.js';
import { rememberMarksOf, rememberMarksSince } from './conversation-marks.js';
import { flushTask, type JobDeps, SYNC_TRASH_MAX_WAIT_MS, watchTask } from './job-deps.js';
import { catchUp } from './sync-catch-up.js';
import { planSync } from './sync-plan.js';
import { startIncrementalRun } from './sync-run.js';

/** Labels that make a new message no business of the cleanup: it is gone, or the user's own. */
const SKIPPED_LABELS = ['TRASH', 'SPAM', 'SENT', 'DRAFT', 'CHAT'];
/** History pages a sync reads (500 messages each); past that, a bounded catch-up is cheaper. */
const MAX_HISTORY_PAGES = 20;

/**
 * The sync task: the messages added since the stored cursor (history.list, messageAdded only,
 * so the service's own label changes never count), then the same pipeline as a full scan's
 * batches, through an incremental run. An expired cursor (404) starts a bounded catch-up. A
 * sync that finds nothing new only moves the cursor. Returns the run that took the new mail.
 */
export async function syncMailbox(deps: JobDeps, userId: string): Promise<Run | undefined> {
  const user = await deps.store.getUser(userId);
  if (!user || user.needsReconnect || user.refreshToken === null || !user.cursor) return;
  const mailbox = await deps.mailboxFor(user);
  const from = user.cursor.historyId;
  await flushLeftTrash(deps, userId);

  const delta = await readHistory(mailbox, from);
  let run: Run | undefined;
  if (delta === 'expired' || delta === 'flood') {
    deps.log.warn('catching up with a search', { userId, reason: delta });
    run = await catchUp(deps, user, mailbox, from, delta);
  } else {
    // Marks made since the last sync, and new mail the user sent, drafted or that a filter
    // labelled, mark their conversations before anything of those conversations is decided.
    await rememberMarksSince(deps.store, mailbox, userId, from);
    await rememberMarksOf(deps.store, userId, delta.added);
    const added = delta.added.filter(
      (m) => !m.labelIds.some((label) => SKIPPED_LABELS.includes(label)),
    );
    if (added.length === 0) {
      await deps.store.advanceCursor(userId, from, delta.historyId, deps.clock.now());
    } else {
      const ids = added.map((m) => m.id);
      const { batches, notes } = await planSync(deps, user, mailbox, added);
      run = await startIncrementalRun(deps, {
        user,
        from,
        to: delta.historyId,
        ids,
        batches,
        notes,
      });
      if (run) deps.log.info('sync queued new messages', { runId: run.id, messages: ids.length });
    }
  }
  await keepWatched(deps, user);
  return run;
}

interface Delta {
  readonly added: HistoryPage['added'];
  readonly historyId: string;
}

/** Every page from `from`, each message once; more pages than a sync reads is a catch-up too. */
async function readHistory(mailbox: Mailbox, from: string): Promise<Delta | 'expired' | 'flood'> {
  const added = new Map<string, HistoryPage['added'][number]>();
  let pageToken: string | undefined;
  for (let pages = 0; pages < MAX_HISTORY_PAGES; pages++) {
    const page = await mailbox.history(from, pageToken);
    if (page === 'expired') return 'expired';
    for (const message of page.added) added.set(message.id, message);
    pageToken = page.nextPageToken;
    if (!pageToken) return { added: [...added.values()], historyId: page.historyId };
  }
  return 'flood';
}

/**
 * Trash that waited in the outbox past its flush (the flush found Google access revoked, and
 * the user has signed in since) goes with this sync's: its runs end once it is flushed.
 */
async function flushLeftTrash(deps: JobDeps, userId: string): Promise<void> {
  const [oldest] = await deps.store.queuedTrash(userId, 1);
  const now = deps.clock.now();
  if (oldest && now - oldest.queuedAt > SYNC_TRASH_MAX_WAIT_MS) {
    // Its own name: the delayed flush task may be the one that failed, and names dedupe.
    await deps.queue.enqueue(flushTask(userId, now));
  }
}

/** A connected user with a cursor and no watch (renewal failed, or they signed in again). */
async function keepWatched(deps: JobDeps, user: User): Promise<void> {
  if (deps.watchTopic === undefined || user.watch !== null) return;
  await deps.queue.enqueue(watchTask(user.id, deps.clock.now()));
}
