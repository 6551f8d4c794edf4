import { describe, expect, it } from 'vitest';
import { LabelUnknown } from '../domain/mailbox-errors.js';
import { STAR_MARKER_IDS } from '../domain/message.js';
import type { LabelHistoryPage, Mailbox } from '../domain/ports.js';
import { openDatabase } from '../local/sqlite/open-database.js';
import { SqliteStore } from '../local/sqlite/sqlite-store.js';
import {
  markingLabels,
  rememberMarkedConversations,
  rememberMarksSince,
} from './conversation-marks.js';

const USER = 'user-1';

/** Exact listings by label id or query, labelAdded history pages, and what was asked. */
function fakeMailbox(
  listed: Record<string, { id: string; threadId: string }[]>,
  history: LabelHistoryPage[] | 'expired' = [],
  /** Label ids Gmail refuses to list, as it refuses labels the account does not have. */
  unknown: readonly string[] = [],
) {
  const asked: string[] = [];
  const mailbox = {
    labels: async () => [
      { id: 'INBOX', type: 'system' },
      { id: 'STARRED', type: 'system' },
      { id: 'RED_BANG', type: 'system' },
      { id: 'CATEGORY_PURCHASES', type: 'system' },
      { id: 'Label_9', type: 'user' },
    ],
    listIds: async (query: { labelIds?: readonly string[]; q?: string }) => {
      const key = query.labelIds?.[0] ?? query.q ?? '';
      asked.push(key);
      if (unknown.includes(key)) throw new LabelUnknown('Gmail refused a label id');
      return { ids: listed[key] ?? [], nextPageToken: undefined };
    },
    labelsAdded: async (_from: string, pageToken?: string) => {
      if (history === 'expired') return 'expired';
      asked.push(`history ${pageToken ?? 0}`);
      return history[Number(pageToken ?? 0)]!;
    },
  } as unknown as Mailbox;
  return { mailbox, asked };
}

describe('marked conversations', () => {
  it('marks by STARRED, SENT, DRAFT, CHAT, every marker, the account’s own labels and ids it does not know', () => {
    const labels = markingLabels([
      { id: 'INBOX', type: 'system' },
      { id: 'YELLOW_STAR', type: 'system' },
      { id: 'CATEGORY_PURCHASES', type: 'system' },
      { id: 'GREEN_CIRCLE', type: 'system' },
      { id: 'Label_3', type: 'user' },
    ]);
    expect(labels).toEqual([
      { id: 'STARRED', mark: 'starred' },
      { id: 'SENT', mark: 'sent' },
      { id: 'DRAFT', mark: 'draft' },
      { id: 'CHAT', mark: 'chat' },
      { id: 'YELLOW_STAR', mark: 'starred' },
      ...[...STAR_MARKER_IDS]
        .filter((id) => id !== 'YELLOW_STAR')
        .map((id) => ({ id, mark: 'starred', unreported: true })),
      { id: 'GREEN_CIRCLE', mark: 'labelled' },
      { id: 'Label_3', mark: 'labelled' },
    ]);
  });

  it('finds a marker labels.list left out, and takes a refused one for a marker nobody used', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    const { mailbox, asked } = fakeMailbox(
      { GREEN_CHECK: [{ id: 'm1', threadId: 't1' }] },
      [],
      ['BLUE_INFO', 'PURPLE_QUESTION'],
    );
    const labels = markingLabels(await mailbox.labels());
    expect(await rememberMarkedConversations(store, mailbox, USER, labels)).toBe(true);
    expect(asked).toEqual(expect.arrayContaining(['GREEN_CHECK', 'BLUE_INFO', 'PURPLE_QUESTION']));
    expect(await store.markedThreads(USER, ['t1'])).toEqual(new Map([['t1', 'starred']]));
  });

  it('still fails on a refused label the account reported', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    const { mailbox } = fakeMailbox({}, [], ['Label_9']);
    const labels = markingLabels(await mailbox.labels());
    await expect(rememberMarkedConversations(store, mailbox, USER, labels)).rejects.toThrow(
      LabelUnknown,
    );
  });

  it('remembers the conversation of every listed message, snoozed mail included', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    const { mailbox, asked } = fakeMailbox({
      STARRED: [{ id: 'm1', threadId: 't1' }],
      Label_9: [{ id: 'm2', threadId: 't2' }],
      'in:snoozed': [{ id: 'm3', threadId: 't3' }],
    });
    const labels = markingLabels(await mailbox.labels());
    await rememberMarkedConversations(store, mailbox, USER, labels);
    expect(asked).toEqual([
      'STARRED',
      'SENT',
      'DRAFT',
      'CHAT',
      'RED_BANG',
      ...[...STAR_MARKER_IDS].filter((id) => id !== 'RED_BANG'),
      'Label_9',
      'in:snoozed',
    ]);
    expect(await store.markedThreads(USER, ['t1', 't2', 't3', 't4'])).toEqual(
      new Map([
        ['t1', 'starred'],
        ['t2', 'labelled'],
        ['t3', 'snoozed'],
      ]),
    );
  });

  it('keeps marks current from the labels added since a sync’s cursor', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    const { mailbox, asked } = fakeMailbox({}, [
      {
        added: [
          { threadId: 't1', labelIds: ['TRASH'] },
          { threadId: 't2', labelIds: ['Label_9'] },
        ],
        nextPageToken: '1',
      },
      { added: [{ threadId: 't3', labelIds: ['RED_BANG'] }], nextPageToken: undefined },
    ]);
    await rememberMarksSince(store, mailbox, USER, '100');
    expect(asked).toEqual(['history 0', 'history 1']);
    expect(await store.markedThreads(USER, ['t1', 't2', 't3'])).toEqual(
      new Map([
        ['t2', 'labelled'],
        ['t3', 'starred'],
      ]),
    );
  });

  it('lists every mark again when history is gone or longer than a listing', async () => {
    for (const history of [
      'expired' as const,
      Array.from({ length: 12 }, (_, i) => ({ added: [], nextPageToken: String(i + 1) })),
    ]) {
      const store = new SqliteStore(openDatabase(':memory:'));
      const { mailbox, asked } = fakeMailbox(
        { 'in:snoozed': [{ id: 'm1', threadId: 't1' }] },
        history,
      );
      await rememberMarksSince(store, mailbox, USER, '100');
      expect(asked.filter((a) => !a.startsWith('history'))).toContain('in:snoozed');
      expect(asked.filter((a) => a.startsWith('history')).length).toBeLessThanOrEqual(10);
      expect(await store.markedThreads(USER, ['t1'])).toEqual(new Map([['t1', 'snoozed']]));
    }
  });
});
