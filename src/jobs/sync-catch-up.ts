import type { Run, User } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { CATCH_UP_REFUSED_NOTE, listRecent } from './catch-up-listing.js';
import { markingLabels, rememberMarkedConversations } from './conversation-marks.js';
import type { JobDeps } from './job-deps.js';
import { SNOOZED_REFUSED_NOTE } from './snoozed-mail.js';
import { startIncrementalRun } from './sync-run.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far back a catch-up looks at most; older mail is what "Rerun full scan" is for. */
export const MAX_CATCH_UP_DAYS = 30;
/** How many messages a catch-up takes at most (20 list pages, 10,000 metadata reads). */
export const MAX_CATCH_UP_MESSAGES = 10_000;

/**
 * When history cannot be read from the cursor (Gmail expired it, or too much happened), a
 * Gmail search covers the days since the cursor last moved, bounded in days and messages, and
 * the run's log says so: nothing is skipped silently. The new cursor is the mailbox's history
 * id read before listing, as a full scan does, so what arrives meanwhile is the next sync's.
 * If Gmail refuses the search, the mailbox is listed without one (catch-up-listing.ts).
 */
export async function catchUp(
  deps: JobDeps,
  user: User,
  mailbox: Mailbox,
  from: string,
  reason: 'expired' | 'flood',
): Promise<Run | undefined> {
  const { historyId } = await mailbox.profile();
  const since = user.cursor?.updatedAt ?? 0;
  // An hour's margin: the cursor's history id was read a little before it was stored.
  const days = Math.min(
    MAX_CATCH_UP_DAYS,
    Math.max(1, Math.ceil((deps.clock.now() - since + HOUR) / DAY)),
  );
  const q = `newer_than:${days}d`;
  // The user's own mail is protected anyway: no metadata read is spent on it.
  const incoming = `${q} -in:sent -in:drafts -in:chats`;

  // History is gone, so marks made since the last sync are unknown: list them all again (a
  // conversation marked long ago may have received new mail).
  const labels = markingLabels(await mailbox.labels());
  const snoozedListed = await rememberMarkedConversations(deps.store, mailbox, user.id, labels);

  const listed = await listRecent(
    mailbox,
    incoming,
    deps.clock.now() - days * DAY,
    MAX_CATCH_UP_MESSAGES,
  );
  const { ids, capped } = listed;

  const why =
    reason === 'expired'
      ? 'Gmail no longer had the history since the last sync'
      : 'Too much mail arrived at once to read it change by change';
  const notes = [
    `${why}: caught up with the messages of the last ${days} day${days === 1 ? '' : 's'}` +
      (capped
        ? ` (stopped at ${MAX_CATCH_UP_MESSAGES.toLocaleString('en-US')}; rerun a full scan to cover the rest).`
        : '.'),
    ...(listed.refused ? [CATCH_UP_REFUSED_NOTE] : []),
    ...(snoozedListed ? [] : [SNOOZED_REFUSED_NOTE]),
  ];
  const run = await startIncrementalRun(deps, {
    user,
    from,
    to: historyId,
    ids,
    notes,
  });
  if (run)
    deps.log.info('catch-up queued', {
      runId: run.id,
      days,
      messages: ids.length,
      capped,
      refused: listed.refused,
    });
  return run;
}
