import { describe, expect, it } from 'vitest';
import { DAY, matches, message, NOW } from '../../../test/helpers/gmail-search-fixtures.js';

// The operators that match where a message is and what it carries: labels, categories, in:,
// is:, has:, sizes and dates.

describe('labels, categories, in: and is:', () => {
  it.each([
    ['primary', 'CATEGORY_PERSONAL'],
    ['social', 'CATEGORY_SOCIAL'],
    ['promotions', 'CATEGORY_PROMOTIONS'],
    ['updates', 'CATEGORY_UPDATES'],
    ['forums', 'CATEGORY_FORUMS'],
  ])('matches category:%s on %s', (name, id) => {
    expect(matches(`category:${name}`, message({ labelIds: [id] }))).toBe(true);
    expect(matches(`Category:${name.toUpperCase()}`, message({ labelIds: [id] }))).toBe(true);
    expect(matches(`category:${name}`, message({ labelIds: ['INBOX'] }))).toBe(false);
  });

  it.each([
    ['inbox', 'INBOX'],
    ['sent', 'SENT'],
    ['starred', 'STARRED'],
    ['important', 'IMPORTANT'],
    ['unread', 'UNREAD'],
    ['trash', 'TRASH'],
    ['spam', 'SPAM'],
    ['draft', 'DRAFT'],
    ['drafts', 'DRAFT'],
    ['chats', 'CHAT'],
  ])('matches label:%s on %s', (name, id) => {
    expect(matches(`label:${name}`, message({ labelIds: [id] }))).toBe(true);
    expect(matches(`label:${name}`, message({ labelIds: ['CATEGORY_FORUMS'] }))).toBe(false);
  });

  it('matches user labels by name, ignoring case, with - for / and spaces', () => {
    const m = message({ labelIds: ['Label_1', 'Label_2', 'Label_3'] });
    expect(matches('label:receipts', m)).toBe(true);
    expect(matches('label:RECEIPTS', m)).toBe(true);
    expect(matches('label:travel-2024', m)).toBe(true);
    expect(matches('label:"travel/2024"', m)).toBe(true);
    expect(matches('label:to-do', m)).toBe(true);
    expect(matches('label:receipts')).toBe(false);
  });

  it('matches nothing for a label that does not exist', () => {
    expect(matches('label:holidays', message({ labelIds: ['Label_1'] }))).toBe(false);
    expect(matches('-label:holidays')).toBe(true);
  });

  it.each([
    ['inbox', 'INBOX'],
    ['sent', 'SENT'],
    ['drafts', 'DRAFT'],
    ['trash', 'TRASH'],
    ['spam', 'SPAM'],
    ['chats', 'CHAT'],
    ['starred', 'STARRED'],
    ['important', 'IMPORTANT'],
  ])('matches in:%s on %s', (name, id) => {
    expect(matches(`in:${name}`, message({ labelIds: [id] }))).toBe(true);
    expect(matches(`in:${name}`, message({ labelIds: ['CATEGORY_FORUMS'] }))).toBe(false);
  });

  it('matches everything with in:anywhere and user labels with in:name', () => {
    expect(matches('in:anywhere', message({ labelIds: ['TRASH'] }))).toBe(true);
    expect(matches('in:anywhere', message({ labelIds: [] }))).toBe(true);
    expect(matches('in:receipts', message({ labelIds: ['Label_1'] }))).toBe(true);
    expect(matches('in:receipts')).toBe(false);
  });

  it.each([
    ['starred', 'STARRED'],
    ['unread', 'UNREAD'],
    ['important', 'IMPORTANT'],
    ['chat', 'CHAT'],
  ])('matches is:%s on %s', (name, id) => {
    expect(matches(`is:${name}`, message({ labelIds: ['INBOX', id] }))).toBe(true);
    expect(matches(`is:${name}`, message({ labelIds: ['INBOX'] }))).toBe(false);
  });

  it('matches is:read on messages without UNREAD', () => {
    expect(matches('is:read', message({ labelIds: ['INBOX'] }))).toBe(true);
    expect(matches('is:read', message({ labelIds: ['INBOX', 'UNREAD'] }))).toBe(false);
    expect(matches('-is:read', message({ labelIds: ['INBOX', 'UNREAD'] }))).toBe(true);
  });

  it('reads category:personal as plain words, as it is no documented operator', () => {
    const personal = message({ labelIds: ['CATEGORY_PERSONAL'] });
    expect(matches('category:personal', personal)).toBe(false);
    expect(matches('category:primary', personal)).toBe(true);
  });

  it('finds snoozed mail with in:snoozed and is:snoozed, and nothing muted', () => {
    const snoozed = { ...message({ labelIds: ['CATEGORY_PERSONAL'] }), snoozed: true };
    expect(matches('in:snoozed', snoozed)).toBe(true);
    expect(matches('is:snoozed', snoozed)).toBe(true);
    expect(matches('in:snoozed')).toBe(false);
    expect(matches('-in:snoozed')).toBe(true);
    expect(matches('is:muted')).toBe(false);
    expect(matches('-is:muted')).toBe(true);
  });
});

describe('has:', () => {
  it('matches has:attachment on messages with attachments', () => {
    expect(matches('has:attachment', message({ attachments: ['a.pdf'] }))).toBe(true);
    expect(matches('has:attachment')).toBe(false);
  });

  it('tells messages with user labels from those without', () => {
    const labelled = message({ labelIds: ['INBOX', 'Label_3'] });
    expect(matches('has:userlabels', labelled)).toBe(true);
    expect(matches('has:userlabels')).toBe(false);
    expect(matches('has:nouserlabels', labelled)).toBe(false);
    expect(matches('has:nouserlabels')).toBe(true);
  });

  it('counts only the user’s own labels in has:userlabels, never star markers', () => {
    expect(matches('has:userlabels', message({ labelIds: ['INBOX', 'YELLOW_STAR'] }))).toBe(false);
    expect(matches('has:userlabels', message({ labelIds: ['RED_BANG', 'Label_1'] }))).toBe(true);
  });
});

describe('sizes', () => {
  const at = (sizeEstimate: number) => message({ sizeEstimate });

  it('compares larger: and smaller: strictly, in bytes', () => {
    expect(matches('larger:4095', at(4096))).toBe(true);
    expect(matches('larger:4096', at(4096))).toBe(false);
    expect(matches('smaller:4097', at(4096))).toBe(true);
    expect(matches('smaller:4096', at(4096))).toBe(false);
  });

  it('reads K and M as 1024-based', () => {
    expect(matches('larger:4k', at(4097))).toBe(true);
    expect(matches('larger:4K', at(4096))).toBe(false);
    expect(matches('larger:10M', at(10 * 1024 * 1024 + 1))).toBe(true);
    expect(matches('larger:10mb', at(10 * 1024 * 1024))).toBe(false);
    expect(matches('smaller:1M', at(1_000_000))).toBe(true);
  });

  it('reads size: as larger:', () => {
    expect(matches('size:1000', at(1001))).toBe(true);
    expect(matches('size:1000', at(999))).toBe(false);
  });
});

describe('dates', () => {
  const on = (internalDate: number) => message({ internalDate });

  it('compares older_than: and newer_than: with days, 30-day months and 365-day years', () => {
    expect(matches('older_than:2d', on(NOW - 3 * DAY))).toBe(true);
    expect(matches('older_than:2d', on(NOW - DAY))).toBe(false);
    expect(matches('newer_than:2d', on(NOW - DAY))).toBe(true);
    expect(matches('older_than:1m', on(NOW - 31 * DAY))).toBe(true);
    expect(matches('older_than:1m', on(NOW - 29 * DAY))).toBe(false);
    expect(matches('older_than:1y', on(NOW - 366 * DAY))).toBe(true);
    expect(matches('newer_than:1y', on(NOW - 364 * DAY))).toBe(true);
  });

  it('splits time cleanly between older_than: and newer_than:', () => {
    const edge = on(NOW - 7 * DAY);
    expect(matches('older_than:7d', edge)).toBe(false);
    expect(matches('newer_than:7d', edge)).toBe(true);
  });

  it('reads after: as on or after the start of the UTC day and before: as strictly before it', () => {
    const start = Date.UTC(2024, 2, 10);
    expect(matches('after:2024/03/10', on(start))).toBe(true);
    expect(matches('after:2024/03/10', on(start - 1))).toBe(false);
    expect(matches('before:2024/03/10', on(start - 1))).toBe(true);
    expect(matches('before:2024/03/10', on(start))).toBe(false);
  });

  it.each([
    '2024/03/10',
    '2024-03-10',
    '2024/3/10',
    '03/10/2024',
    String(Date.UTC(2024, 2, 10) / 1000),
  ])('reads the date %s', (date) => {
    const start = Date.UTC(2024, 2, 10);
    expect(matches(`after:${date}`, on(start))).toBe(true);
    expect(matches(`before:${date}`, on(start))).toBe(false);
  });

  it('reads older: as before: and newer: as after:', () => {
    const start = Date.UTC(2024, 2, 10);
    expect(matches('older:2024/03/10', on(start - 1))).toBe(true);
    expect(matches('newer:2024/03/10', on(start - 1))).toBe(false);
  });

  it('selects a range with after: and before: together', () => {
    const q = 'after:2024/01/01 before:2024/02/01';
    expect(matches(q, on(Date.UTC(2024, 0, 15)))).toBe(true);
    expect(matches(q, on(Date.UTC(2024, 1, 1)))).toBe(false);
  });
});
