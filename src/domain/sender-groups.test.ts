import { describe, expect, it } from 'vitest';
import { meta, promo } from '../../test/helpers/message-meta.js';
import { DEFAULT_POLICY, type SenderDecision } from './model.js';
import {
  isBulk,
  isCurrent,
  routeByDecision,
  sampleSubjects,
  senderKey,
  splitBySender,
} from './sender-groups.js';

const decision = (action: SenderDecision['action']): SenderDecision => ({
  senderKey: 'deals@shop.example|promotions',
  action,
  reason: 'promotions',
  policyVersion: 1,
  decidedAt: 0,
});

describe('sender groups', () => {
  it('treats list mail, bulk categories and automated addresses as bulk, people as personal', () => {
    expect(isBulk(promo('deals@shop.example'))).toBe(true);
    expect(isBulk(meta({ labelIds: ['CATEGORY_SOCIAL'], fromAddress: 'a@b.example' }))).toBe(true);
    expect(isBulk(meta({ fromAddress: 'no-reply@bank.example' }))).toBe(true);
    expect(isBulk(meta({ fromAddress: 'noreply+alerts@bank.example' }))).toBe(true);
    expect(isBulk(meta())).toBe(false);
    expect(isBulk(promo('', { fromAddress: '' }))).toBe(false);
  });

  it('keys a sender by address and category, so promotions and statements are decided apart', () => {
    const offer = promo('mail@bank.example');
    const statement = meta({ fromAddress: 'mail@bank.example', labelIds: ['CATEGORY_UPDATES'] });
    expect(senderKey(offer)).toBe('mail@bank.example|promotions');
    expect(senderKey(statement)).toBe('mail@bank.example|updates');
  });

  it('splits a batch into keep-listed mail, bulk senders and messages judged one by one', () => {
    const shop = [promo('deals@shop.example'), promo('deals@shop.example')];
    const bank = promo('offers@bank.example');
    const person = meta();
    const split = splitBySender([...shop, bank, person], {
      ...DEFAULT_POLICY,
      keepSenders: ['@bank.example'],
    });
    expect(split.keepListed).toEqual([bank]);
    expect([...split.groups]).toEqual([['deals@shop.example|promotions', shop]]);
    expect(split.individual).toEqual([person]);
  });

  it('trusts a cached decision only for the policy version it was made under', () => {
    expect(isCurrent(decision('trash'), DEFAULT_POLICY)).toBe(true);
    expect(isCurrent(decision('trash'), { ...DEFAULT_POLICY, version: 2 })).toBe(false);
    expect(isCurrent(undefined, DEFAULT_POLICY)).toBe(false);
  });

  it('trashes a disposable sender’s mail except important messages, which are judged alone', () => {
    const plain = promo('deals@shop.example');
    const important = promo('deals@shop.example', {
      labelIds: ['CATEGORY_PROMOTIONS', 'IMPORTANT'],
    });
    const routed = routeByDecision([plain, important], decision('trash'));
    expect(routed.answers).toEqual([
      [plain.id, { action: 'trash', reason: 'LLM, sender: promotions' }],
    ]);
    expect(routed.individual).toEqual([important]);
  });

  it('keeps all of a kept sender’s mail and judges a mixed sender’s mail one by one', () => {
    const mail = [promo('deals@shop.example'), promo('deals@shop.example')];
    expect(routeByDecision(mail, decision('keep')).answers.map(([, a]) => a.action)).toEqual([
      'keep',
      'keep',
    ]);
    expect(routeByDecision(mail, decision('mixed'))).toEqual({ answers: [], individual: mail });
  });

  it('samples subjects that differ by more than their numbers, newest first', () => {
    const mail = [
      promo('d@s.example', { subject: 'Order 1 shipped', internalDate: 1 }),
      promo('d@s.example', { subject: 'Order 2 shipped', internalDate: 3 }),
      promo('d@s.example', { subject: 'Big sale', internalDate: 2 }),
    ];
    expect(sampleSubjects(mail, 4)).toEqual(['Order 2 shipped', 'Big sale']);
    expect(sampleSubjects(mail, 1)).toEqual(['Order 2 shipped']);
  });
});
