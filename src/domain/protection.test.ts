import { describe, expect, it } from 'vitest';
import type { MessageMeta } from './message.js';
import {
  type ConversationMark,
  markOfLabels,
  onKeepList,
  protectionReason,
  strongestMark,
} from './protection.js';

const base: MessageMeta = {
  id: '0000000000000001',
  threadId: 't1',
  labelIds: ['INBOX', 'CATEGORY_PROMOTIONS'],
  fromAddress: 'deals@shop.example',
  fromName: 'Shop',
  subject: 'Sale',
  snippet: '',
  sizeEstimate: 1000,
  internalDate: 0,
  listUnsubscribe: true,
  listId: null,
};
const none = { keepSenders: [], markedThreads: new Map<string, ConversationMark>() };

describe('protectionReason', () => {
  it.each([
    ['STARRED', 'starred'],
    ['SENT', 'sent by you'],
    ['DRAFT', 'a draft'],
    ['CHAT', 'a chat'],
    ['Label_7', 'has one of your labels'],
    ['YELLOW_STAR', 'starred'],
    ['RED_BANG', 'starred'],
  ])('protects a message labelled %s', (label, reason) => {
    expect(protectionReason({ ...base, labelIds: [...base.labelIds, label] }, none)).toBe(reason);
  });

  it('protects messages in a thread the user replied to', () => {
    expect(protectionReason(base, { ...none, markedThreads: new Map([['t1', 'sent']]) })).toBe(
      'in a thread you replied to',
    );
  });

  it.each([
    ['starred', 'in a starred conversation'],
    ['labelled', 'in a conversation with one of your labels'],
    ['snoozed', 'in a snoozed conversation'],
    ['draft', 'in a conversation with your draft'],
  ] as const)('protects an unmarked message of a %s conversation', (mark, reason) => {
    const ctx = { ...none, markedThreads: new Map([['t1', mark]]) };
    expect(protectionReason(base, ctx)).toBe(reason);
    expect(protectionReason({ ...base, threadId: 't2' }, ctx)).toBeNull();
  });

  it('names the strongest mark of a conversation marked several ways', () => {
    expect(strongestMark(['labelled', 'snoozed', 'starred'])).toBe('starred');
    expect(strongestMark(['snoozed', 'sent'])).toBe('sent');
    expect(strongestMark([])).toBeUndefined();
  });

  it('reads the conversation mark from label ids, user labels and markers included', () => {
    expect(markOfLabels(['INBOX', 'Label_3'])).toBe('labelled');
    expect(markOfLabels(['ORANGE_GUILLEMET', 'Label_3'])).toBe('starred');
    expect(markOfLabels(['INBOX', 'UNREAD', 'CATEGORY_PROMOTIONS', 'IMPORTANT'])).toBeUndefined();
  });

  it('leaves ordinary bulk mail unprotected', () => {
    expect(
      protectionReason({ ...base, labelIds: ['INBOX', 'IMPORTANT', 'UNREAD'] }, none),
    ).toBeNull();
  });
});

describe('onKeepList', () => {
  it('matches addresses exactly and domains with their subdomains', () => {
    expect(onKeepList('Alerts@Bank.example', ['alerts@bank.example'])).toBe(true);
    expect(onKeepList('other@bank.example', ['alerts@bank.example'])).toBe(false);
    expect(onKeepList('x@mail.bank.example', ['@bank.example'])).toBe(true);
    expect(onKeepList('x@bank.example', ['bank.example'])).toBe(true);
    expect(onKeepList('x@notbank.example', ['bank.example'])).toBe(false);
    expect(onKeepList('', ['bank.example'])).toBe(false);
  });
});
