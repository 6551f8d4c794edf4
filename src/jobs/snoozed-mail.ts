import { SearchRefused } from '../domain/mailbox-errors.js';
import type { Mailbox, Store } from '../domain/ports.js';

/** Snoozed mail has no label id in the API: search is the only way to list it. */
export const SNOOZED_QUERY = 'in:snoozed';

/** What the run's log says when Gmail would not list snoozed mail. */
export const SNOOZED_REFUSED_NOTE =
  'Gmail refused the search for snoozed mail (in:snoozed), so snoozed conversations cannot be told apart: mail of conversations outside your Inbox was kept rather than risk trashing one you snoozed.';

/** The reason a trash candidate is kept when snoozed mail could not be listed. */
export const MAYBE_SNOOZED_REASON = 'outside your Inbox, and Gmail would not say if it is snoozed';

/** The Inbox pages read to tell which conversations are in it (500 ids, 5 units each). */
const INBOX_PAGES = 20;

/** Snoozed mail, or `refused` when Gmail answers the search with 400 invalidArgument. */
export async function listSnoozed(
  mailbox: Mailbox,
): Promise<{ id: string; threadId: string }[] | 'refused'> {
  const all: { id: string; threadId: string }[] = [];
  let pageToken: string | undefined;
  try {
    do {
      const page = await mailbox.listIds({ q: SNOOZED_QUERY, pageToken });
      all.push(...page.ids);
      pageToken = page.nextPageToken;
    } while (pageToken);
  } catch (error) {
    if (error instanceof SearchRefused) return 'refused';
    throw error;
  }
  return all;
}

/**
 * Snoozing takes a conversation out of the Inbox, so without `in:snoozed` any conversation with
 * no message in the Inbox may be snoozed. Lists the Inbox by its exact label id (newest first,
 * at most INBOX_PAGES pages: a conversation past them only counts as possibly snoozed) and
 * returns the ids of the candidates whose conversation is not in it.
 */
export async function outsideInbox(
  mailbox: Mailbox,
  candidates: readonly { readonly id: string; readonly threadId: string }[],
): Promise<Set<string>> {
  const pending = new Set(candidates.map((c) => c.threadId));
  let pageToken: string | undefined;
  for (let page = 0; page < INBOX_PAGES && pending.size > 0; page++) {
    const listed = await mailbox.listIds({ labelIds: ['INBOX'], pageToken });
    for (const m of listed.ids) pending.delete(m.threadId);
    pageToken = listed.nextPageToken;
    if (!pageToken) break;
  }
  return new Set(candidates.filter((c) => pending.has(c.threadId)).map((c) => c.id));
}

/** Says once in the run's log that snoozed mail could not be listed. */
export async function noteSnoozedRefused(store: Store, runId: string, now: number): Promise<void> {
  const run = await store.getRun(runId);
  if (!run || run.errors.some((e) => e.message === SNOOZED_REFUSED_NOTE)) return;
  await store.appendRunError(runId, { at: now, message: SNOOZED_REFUSED_NOTE });
}
