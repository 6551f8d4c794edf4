import { describe, expect, it } from 'vitest';
import { SearchRefused } from '../domain/mailbox-errors.js';
import type { IdPage, Mailbox } from '../domain/ports.js';
import { listSnoozed, outsideInbox } from './snoozed-mail.js';

type Listing = Parameters<Mailbox['listIds']>[0];

/** A mailbox that only lists, from a function of the query, and keeps every query it got. */
function listingMailbox(list: (query: Listing) => IdPage) {
  const unused = () => Promise.reject(new Error('not expected'));
  const queries: Listing[] = [];
  const mailbox: Mailbox = {
    profile: unused,
    labels: unused,
    listIds: async (query) => {
      queries.push(query);
      return list(query);
    },
    headers: unused,
    getMetadata: unused,
    trash: unused,
    untrash: unused,
    history: unused,
    labelsAdded: unused,
    protectedSince: unused,
    watch: unused,
    stop: unused,
  };
  return { mailbox, queries };
}

describe('snoozed mail', () => {
  it('lists snoozed mail page by page, and says refused when Gmail refuses the search', async () => {
    const pages: Record<string, IdPage> = {
      '': { ids: [{ id: 'a', threadId: 't1' }], nextPageToken: 'p2' },
      p2: { ids: [{ id: 'b', threadId: 't2' }], nextPageToken: undefined },
    };
    const { mailbox, queries } = listingMailbox((q) => pages[q.pageToken ?? '']!);
    expect(await listSnoozed(mailbox)).toEqual([
      { id: 'a', threadId: 't1' },
      { id: 'b', threadId: 't2' },
    ]);
    expect(queries.map((q) => q.q)).toEqual(['in:snoozed', 'in:snoozed']);

    const refusing = listingMailbox(() => {
      throw new SearchRefused('Gmail refused the search query');
    });
    expect(await listSnoozed(refusing.mailbox)).toBe('refused');
  });

  it('counts as possibly snoozed only candidates whose conversation has nothing in the Inbox', async () => {
    const { mailbox, queries } = listingMailbox(() => ({
      ids: [
        { id: 'x', threadId: 'inbox-thread' },
        { id: 'y', threadId: 'other' },
      ],
      nextPageToken: undefined,
    }));
    const candidates = [
      { id: 'a', threadId: 'inbox-thread' },
      { id: 'b', threadId: 'archived-thread' },
    ];
    expect(await outsideInbox(mailbox, candidates)).toEqual(new Set(['b']));
    expect(queries).toEqual([{ labelIds: ['INBOX'], pageToken: undefined }]);
  });

  it('keeps reading the Inbox only while some candidate is unaccounted for, and at most 20 pages', async () => {
    let pages = 0;
    const { mailbox } = listingMailbox(() => {
      pages++;
      return { ids: [{ id: `m${pages}`, threadId: `t${pages}` }], nextPageToken: 'more' };
    });
    expect(await outsideInbox(mailbox, [{ id: 'a', threadId: 't2' }])).toEqual(new Set());
    expect(pages).toBe(2);
    pages = 0;
    expect(await outsideInbox(mailbox, [{ id: 'a', threadId: 'never' }])).toEqual(new Set(['a']));
    expect(pages).toBe(20);
  });
});
