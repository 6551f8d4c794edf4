import { describe, expect, it } from 'vitest';
import { amazon, github, matches, message } from '../../../test/helpers/gmail-search-fixtures.js';

// The operators that match what a message says: words, phrases, from:, to:, subject:, list:,
// rfc822msgid: and filename:.

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
