import { describe, expect, it } from 'vitest';
import { mailboxOf } from '../../test/helpers/job-fakes.js';
import { SearchRefused } from '../domain/mailbox-errors.js';
import { unreadMeta } from '../domain/message.js';
import { listRecent } from './catch-up-listing.js';

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;

/**
 * A mailbox of `count` messages, one an hour, newest first, listed 500 a page; a query is
 * refused (as Gmail answers an operator it does not take) when `refuse` is set.
 */
function datedMailbox(count: number, refuse: boolean) {
  const dated = Array.from({ length: count }, (_, i) => ({ id: `m${i}`, date: NOW - i * HOUR }));
  const reads: string[] = [];
  const mailbox = mailboxOf({
    listIds: async ({ q, pageToken }: { q?: string; pageToken?: string }) => {
      if (q && refuse) throw new SearchRefused('Gmail refused the search query');
      const start = Number(pageToken ?? 0);
      const page = dated.slice(start, start + 500);
      const next = start + 500 < dated.length ? String(start + 500) : undefined;
      return { ids: page.map((m) => ({ id: m.id, threadId: m.id })), nextPageToken: next };
    },
    getMetadata: async (ids: readonly string[]) => {
      reads.push(...ids);
      const found = dated.filter((m) => ids.includes(m.id));
      return new Map(
        found.map((m) => [m.id, { ...unreadMeta(m.id, m.id, []), internalDate: m.date }]),
      );
    },
  });
  return { mailbox, reads };
}

describe('listing recent mail for a catch-up', () => {
  it('lists without a search when Gmail refuses it, down to the first page older than the window', async () => {
    // 2,000 messages an hour apart; the window is the last 30 days (720 hours).
    const { mailbox, reads } = datedMailbox(2_000, true);
    const listed = await listRecent(mailbox, 'newer_than:30d', NOW - 720 * HOUR, 10_000);
    expect(listed.refused).toBe(true);
    expect(listed.capped).toBe(false);
    // Pages of 500: the second page's last message (hour 999) is older than the window.
    expect(listed.ids).toHaveLength(1_000);
    for (let i = 0; i <= 720; i++) expect(listed.ids).toContain(`m${i}`);
    // One read a page told where the window ends.
    expect(reads).toEqual(['m499', 'm999']);
  });

  it('says it stopped at the cap when the window holds more mail than a catch-up takes', async () => {
    const { mailbox } = datedMailbox(2_000, true);
    const listed = await listRecent(mailbox, 'newer_than:30d', NOW - 5_000 * HOUR, 1_000);
    expect(listed).toMatchObject({ refused: true, capped: true });
    expect(listed.ids).toHaveLength(1_000);
  });

  it('uses the search, and reads nothing, when Gmail takes it', async () => {
    const { mailbox, reads } = datedMailbox(700, false);
    const listed = await listRecent(mailbox, 'newer_than:1d', NOW - 24 * HOUR, 10_000);
    expect(listed).toMatchObject({ refused: false, capped: false });
    expect(listed.ids).toHaveLength(700);
    expect(reads).toEqual([]);
  });
});
