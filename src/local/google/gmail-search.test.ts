import { describe, expect, it } from 'vitest';
import { matchesQuery, parseQuery, reachesSpamOrTrash } from './gmail-search.js';
import type { SearchContext, SimLabel, SimMessage, SimSender } from './sim-types.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 15, 12);

const amazon: SimSender = {
  name: 'Amazon Deals',
  address: 'deals@amazon.com',
  bulk: true,
  listId: '<weekly.amazon.com>',
};
const alice: SimSender = { name: 'Alice Martin', address: 'alice@example.org', bulk: false };
const github: SimSender = { name: 'GitHub', address: 'noreply@github.com', bulk: true };

const userLabels: SimLabel[] = [
  { id: 'Label_1', name: 'Receipts', type: 'user' },
  { id: 'Label_2', name: 'Travel/2024', type: 'user' },
  { id: 'Label_3', name: 'To Do', type: 'user' },
];

/** Mirrors the simulated account's lookup: lowercased name or id, `/` and spaces as `-`. */
const ctx: SearchContext = {
  now: NOW,
  isUserLabel: (id) => userLabels.some((label) => label.id === id),
  labelIdByName: (name) =>
    userLabels.find((label) =>
      [label.id, label.name, label.name.replace(/[/ ]/g, '-')].some(
        (candidate) => candidate.toLowerCase() === name.toLowerCase(),
      ),
    )?.id,
};

function message(overrides: Partial<SimMessage> = {}): SimMessage {
  return {
    id: '0000000000000001',
    threadId: '0000000000000001',
    internalDate: NOW - DAY,
    labelIds: ['INBOX', 'CATEGORY_PERSONAL'],
    from: alice,
    to: ['me@example.com'],
    subject: 'Dinner tonight?',
    snippet: 'Shall we try the new place on Elm Street',
    sizeEstimate: 4096,
    attachments: [],
    messageIdHeader: '<CAF1234@mail.example.org>',
    historyId: 1,
    ...overrides,
  };
}

function matches(q: string, m: SimMessage = message()): boolean {
  return matchesQuery(parseQuery(q), m, ctx);
}

describe('bare words and phrases', () => {
  it.each([
    ['alice', 'the sender name'],
    ['example.org', 'the sender address'],
    ['me@example', 'a recipient'],
    ['tonight', 'the subject'],
    ['elm', 'the snippet'],
    ['menu.pdf', 'an attachment name'],
  ])('finds %s in %s', (q) => {
    expect(matches(q, message({ attachments: ['menu.pdf'] }))).toBe(true);
  });

  it('matches case-insensitively and inside longer words', () => {
    expect(matches('DINNER')).toBe(true);
    expect(matches('stree')).toBe(true);
    expect(matches('breakfast')).toBe(false);
  });

  it('requires every word when words are listed side by side', () => {
    expect(matches('dinner elm')).toBe(true);
    expect(matches('dinner breakfast')).toBe(false);
    expect(matches('dinner AND elm')).toBe(true);
  });

  it('matches a quoted phrase only where its words are adjacent', () => {
    expect(matches('"new place"')).toBe(true);
    expect(matches('"  NEW   place "')).toBe(true);
    expect(matches('"place new"')).toBe(false);
  });

  it('reads +word as the word', () => {
    expect(matches('+dinner')).toBe(true);
  });

  it('matches everything when the query is empty or blank', () => {
    expect(matches('')).toBe(true);
    expect(matches('   \t\n')).toBe(true);
  });
});

describe('boolean structure', () => {
  const deal = message({ from: amazon, subject: 'Your weekly deals', snippet: 'Save now' });

  it('matches either side of OR', () => {
    expect(matches('from:amazon OR from:alice')).toBe(true);
    expect(matches('from:amazon OR from:alice', deal)).toBe(true);
    expect(matches('from:amazon OR from:github')).toBe(false);
  });

  it('binds OR tighter than the implicit AND, as Gmail does', () => {
    expect(matches('dinner from:amazon OR from:alice')).toBe(true);
    expect(matches('weekly from:amazon OR from:alice')).toBe(false);
  });

  it('treats lowercase or as a word to search for', () => {
    expect(matches('dinner OR breakfast')).toBe(true);
    expect(matches('dinner or breakfast')).toBe(false);
  });

  it('matches any member of a brace group', () => {
    expect(matches('{breakfast dinner lunch}')).toBe(true);
    expect(matches('{breakfast lunch}')).toBe(false);
  });

  it('groups with parentheses', () => {
    expect(matches('(from:amazon OR from:alice) dinner')).toBe(true);
    expect(matches('(from:amazon OR from:alice) weekly')).toBe(false);
    expect(matches('(from:amazon OR from:alice) weekly', deal)).toBe(true);
  });

  it('negates a term, a phrase, and a group', () => {
    expect(matches('-from:amazon')).toBe(true);
    expect(matches('-from:amazon', deal)).toBe(false);
    expect(matches('-"dinner tonight"')).toBe(false);
    expect(matches('-(dinner elm)')).toBe(false);
    expect(matches('-(dinner breakfast)')).toBe(true);
    expect(matches('-{breakfast dinner}')).toBe(false);
  });

  it('cancels a double negation', () => {
    expect(matches('--dinner')).toBe(true);
    expect(matches('-(-dinner)')).toBe(true);
  });
});

describe('from: and to:', () => {
  it('matches an address inside another sender’s display name, as Gmail does', () => {
    const via = {
      name: "'alice@example.org' via Book Club",
      address: 'club@lists.example.org',
      bulk: true,
    };
    expect(matches('from:alice@example.org', message({ from: via }))).toBe(true);
    expect(
      matches('from:alice@example.org -from:club@lists.example.org', message({ from: via })),
    ).toBe(false);
    expect(matches('from:alice@example.org -from:club@lists.example.org')).toBe(true);
  });

  const deal = message({ from: amazon });

  it.each([
    'from:amazon',
    'from:deals@amazon.com',
    'from:@amazon.com',
    'FROM:Amazon.COM',
    'from:"Amazon Deals"',
  ])('finds the sender with %s', (q) => {
    expect(matches(q, deal)).toBe(true);
    expect(matches(q)).toBe(false);
  });

  it('matches whole words of the display name and of the address, never part of a word', () => {
    expect(matches('from:martin')).toBe(true);
    expect(matches('from:mart')).toBe(false);
    expect(matches('from:alice')).toBe(true);
    expect(matches('from:example.org')).toBe(true);
    expect(matches('from:exam')).toBe(false);
    expect(matches('from:lice@example.org')).toBe(false);
    expect(matches('from:alice@example.or')).toBe(false);
    expect(matches('from:alice@')).toBe(true);
  });

  it('takes a value with an @ inside as a whole address, in the address or the display name', () => {
    const lookAlike = message({
      from: { name: "'alice@example.org' via Team", address: 'team@groups.example', bulk: true },
    });
    expect(matches('from:alice@example.org', lookAlike)).toBe(true);
    expect(matches('from:ice@example.org', lookAlike)).toBe(false);
    expect(matches('from:alice@example', lookAlike)).toBe(false);
    expect(matches('from:team@groups.example', lookAlike)).toBe(true);
    expect(matches('from:m@groups.example', lookAlike)).toBe(false);
  });

  it('reads from:me as mail the user sent and to:me as mail they did not', () => {
    const sent = message({ labelIds: ['SENT'] });
    expect(matches('from:me', sent)).toBe(true);
    expect(matches('from:me')).toBe(false);
    expect(matches('to:me', sent)).toBe(false);
    expect(matches('to:me')).toBe(true);
  });

  it('matches any recipient address', () => {
    const m = message({ to: ['bob@work.example', 'carol@home.example'] });
    expect(matches('to:carol', m)).toBe(true);
    expect(matches('to:home.example', m)).toBe(true);
    expect(matches('to:dave', m)).toBe(false);
    expect(matches('to:alice', m)).toBe(false);
  });

  it('takes either sender from a brace group', () => {
    expect(matches('from:{amazon github}', deal)).toBe(true);
    expect(matches('from:{amazon github}', message({ from: github }))).toBe(true);
    expect(matches('from:{amazon github}')).toBe(false);
  });
});

describe('subject:', () => {
  it('matches whole words of the subject', () => {
    expect(matches('subject:dinner')).toBe(true);
    expect(matches('subject:dinner', message({ subject: 'Dinners of the world' }))).toBe(false);
    expect(matches('subject:elm')).toBe(false);
  });

  it('matches a phrase', () => {
    expect(matches('subject:"dinner tonight"')).toBe(true);
    expect(matches('subject:"tonight dinner"')).toBe(false);
  });

  it('needs every word of a parenthesised group and any word of a brace group', () => {
    const both = message({ subject: 'Dinner and a movie?' });
    expect(matches('subject:(dinner movie)', both)).toBe(true);
    expect(matches('subject:(dinner movie)')).toBe(false);
    expect(matches('subject:{dinner movie}')).toBe(true);
    expect(matches('subject:{lunch movie}')).toBe(false);
  });

  it('applies negation and OR inside a group to the subject', () => {
    const both = message({ subject: 'Dinner and a movie?' });
    expect(matches('subject:(dinner -movie)')).toBe(true);
    expect(matches('subject:(dinner -movie)', both)).toBe(false);
    expect(matches('subject:(lunch OR dinner)')).toBe(true);
    expect(matches('subject:(elm)')).toBe(false);
  });

  it('lets another operator inside a group override the field', () => {
    expect(matches('subject:(dinner from:alice)')).toBe(true);
    expect(matches('subject:(dinner from:amazon)')).toBe(false);
  });
});

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

describe('list:, rfc822msgid: and filename:', () => {
  it('matches list: on the List-Id, with or without angle brackets', () => {
    const deal = message({ from: amazon });
    expect(matches('list:weekly.amazon.com', deal)).toBe(true);
    expect(matches('list:<weekly.amazon.com>', deal)).toBe(true);
    expect(matches('list:amazon', deal)).toBe(true);
    expect(matches('list:github', deal)).toBe(false);
  });

  it('matches list: on the address of a bulk sender with no List-Id', () => {
    expect(matches('list:noreply@github.com', message({ from: github }))).toBe(true);
    expect(matches('list:alice@example.org')).toBe(false);
  });

  it('matches rfc822msgid: on the whole Message-ID, brackets optional', () => {
    expect(matches('rfc822msgid:<CAF1234@mail.example.org>')).toBe(true);
    expect(matches('rfc822msgid:caf1234@mail.example.org')).toBe(true);
    expect(matches('rfc822msgid:CAF1234')).toBe(false);
  });

  it('matches filename: on part of an attachment name or its extension', () => {
    const m = message({ attachments: ['Invoice-2024.PDF', 'photo.jpg'] });
    expect(matches('filename:pdf', m)).toBe(true);
    expect(matches('filename:invoice', m)).toBe(true);
    expect(matches('filename:photo.jpg', m)).toBe(true);
    expect(matches('filename:docx', m)).toBe(false);
    expect(matches('filename:pdf')).toBe(false);
  });
});

describe('odd input', () => {
  it('searches for unknown operators and unreadable values as plain words', () => {
    expect(matches('foo:bar', message({ snippet: 'see foo:bar' }))).toBe(true);
    expect(matches('foo:bar')).toBe(false);
    expect(matches('larger:lots', message({ snippet: 'larger:lots' }))).toBe(true);
    expect(matches('after:2024/02/30', message({ snippet: 'after:2024/02/30' }))).toBe(true);
    expect(matches('is:bogus')).toBe(false);
  });

  it.each([
    ['(dinner', true],
    ['dinner)', true],
    ['"dinner tonight', true],
    ['dinner -', true],
    ['OR dinner OR', true],
    ['{dinner', true],
    ['subject:(dinner', true],
    ['()', true],
    ['-()', true],
    ['-', true],
    ['""', true],
    ['from:', false],
  ])('reads %s without failing', (q, expected) => {
    expect(matches(q)).toBe(expected);
  });
});

describe('reachesSpamOrTrash', () => {
  it.each([
    'in:trash',
    'in:spam',
    'in:anywhere',
    'label:trash',
    'label:SPAM',
    'from:amazon in:trash',
    'in:inbox OR in:spam',
    '{in:trash in:inbox}',
    '-(-in:trash)',
    'in:{inbox trash}',
  ])('is true for %s', (q) => {
    expect(reachesSpamOrTrash(parseQuery(q))).toBe(true);
  });

  it.each([
    '',
    'from:amazon',
    'in:inbox',
    '-in:trash',
    '-label:spam',
    '-(in:trash OR in:spam)',
    'trash',
    '"in:trash"',
    'label:receipts',
  ])('is false for %s', (q) => {
    expect(reachesSpamOrTrash(parseQuery(q))).toBe(false);
  });
});

describe('a large mailbox', () => {
  it('evaluates one parsed query over 100,000 messages', () => {
    const senders = [amazon, alice, github];
    const messages = Array.from({ length: 100_000 }, (_, i) =>
      message({
        id: i.toString(16).padStart(16, '0'),
        from: senders[i % senders.length]!,
        internalDate: NOW - (i % 1000) * DAY,
        labelIds: i % 2 === 0 ? ['INBOX', 'CATEGORY_PROMOTIONS'] : ['INBOX', 'Label_1'],
        sizeEstimate: 1000 + i,
      }),
    );
    const query = parseQuery(
      '(category:promotions OR label:receipts) older_than:1y -is:starred {from:amazon list:github} larger:10k',
    );
    const found = messages.filter((m) => matchesQuery(query, m, ctx));
    const expected = messages.filter(
      (m, i) => i % 3 !== 1 && m.internalDate < NOW - 365 * DAY && m.sizeEstimate > 10 * 1024,
    );
    expect(found.map((m) => m.id)).toEqual(expected.map((m) => m.id));
  });
});
