import { SearchRefused } from '../domain/mailbox-errors.js';
import type { Mailbox } from '../domain/ports.js';

/** What a catch-up's run log says when Gmail refuses its search for recent mail. */
export const CATCH_UP_REFUSED_NOTE =
  'Gmail refused the search for recent mail, so the catch-up listed the mailbox newest first instead, down to the first page older than the days it covers: some older mail may be looked at again, none is skipped.';

/** The recent mail a catch-up takes, and whether it had to list without a search. */
export interface RecentMail {
  readonly ids: readonly string[];
  /** More mail of the window was left than the cap allows. */
  readonly capped: boolean;
  /** Gmail refused the search; the plain listing was used. */
  readonly refused: boolean;
}

/**
 * The ids `q` finds (at most `max`, 500 a page), or, if Gmail refuses the search (400: an
 * operator it does not take here), the plain listing, which needs no operator. Gmail lists
 * newest first, so the plain listing stops at the first page whose last message is dated
 * before `sinceMs`: one metadata read (20 units) a page tells where the window ends, and the
 * window's mail is all listed (the rest of that last page is older mail, decided again).
 */
export async function listRecent(
  mailbox: Mailbox,
  q: string,
  sinceMs: number,
  max: number,
): Promise<RecentMail> {
  try {
    return { ...(await listPages(mailbox, q, max)), refused: false };
  } catch (error) {
    if (!(error instanceof SearchRefused)) throw error;
  }
  return { ...(await listPages(mailbox, undefined, max, sinceMs)), refused: true };
}

async function listPages(
  mailbox: Mailbox,
  q: string | undefined,
  max: number,
  sinceMs?: number,
): Promise<{ ids: string[]; capped: boolean }> {
  const ids = new Set<string>();
  let pageToken: string | undefined;
  do {
    const page = await mailbox.listIds({ q, pageToken });
    for (const { id } of page.ids) ids.add(id);
    pageToken = page.nextPageToken;
    if (pageToken && sinceMs !== undefined && (await olderThan(mailbox, page.ids, sinceMs))) {
      pageToken = undefined;
    }
  } while (pageToken && ids.size < max);
  return { ids: [...ids].slice(0, max), capped: pageToken !== undefined };
}

/** Whether the last message of a page (the oldest of it) is dated before `sinceMs`. */
async function olderThan(
  mailbox: Mailbox,
  page: readonly { readonly id: string }[],
  sinceMs: number,
): Promise<boolean> {
  const last = page.at(-1);
  if (!last) return true;
  const meta = (await mailbox.getMetadata([last.id])).get(last.id);
  // A message gone since it was listed says nothing: the listing goes on.
  return meta !== undefined && meta.internalDate < sinceMs;
}
