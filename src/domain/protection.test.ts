import { describe, expect, it } from 'vitest';
import type { MessageMeta } from './message.js';
import { onKeepList, protectionReason } from './protection.js';

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
const none = { keepSenders: [], repliedThreads: new Set<string>() };

describe('protectionReason', () => {
  it.each([
    ['STARRED', 'starred'],
    ['SENT', 'sent by you'],
    ['DRAFT', 'a draft'],
    ['CHAT', 'a chat'],
    ['Label_7', 'has one of your labels'],
  ])('protects a message labelled %s', (label, reason) => {
    expect(protectionReason({ ...base, labelIds: [...base.labelIds, label] }, none)).toBe(reason);
  });

  it('protects messages in a thread the user replied to', () => {
    expect(protectionReason(base, { ...none, repliedThreads: new Set(['t1']) })).toBe(
      'in a thread you replied to',
    );
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
