import { describe, expect, it } from 'vitest';
import { meta as aMessage } from '../../test/helpers/message-meta.js';
import {
  addressesOf,
  decidedSenders,
  fromTerms,
  RULES_PREFIX,
  rulesSenderDecisions,
} from './known-senders.js';
import { DEFAULT_POLICY, type SenderDecision } from './model.js';

const decision = (senderKey: string, action: SenderDecision['action']): SenderDecision => ({
  senderKey,
  action,
  reason: 'r',
  policyVersion: DEFAULT_POLICY.version,
  decidedAt: 1,
});

describe('known senders', () => {
  it('remembers promotion senders by whether their mail has an unsubscribe link', () => {
    const promo = { labelIds: ['CATEGORY_PROMOTIONS'] };
    const found = rulesSenderDecisions(
      [
        aMessage({ ...promo, fromAddress: 'deals@shop.example', listUnsubscribe: true }),
        aMessage({ ...promo, fromAddress: 'plain@shop.example', listUnsubscribe: false }),
        aMessage({ ...promo, fromAddress: 'both@shop.example', listUnsubscribe: true }),
        aMessage({ ...promo, fromAddress: 'both@shop.example', listUnsubscribe: false }),
        aMessage({ labelIds: ['CATEGORY_UPDATES'], fromAddress: 'bank@bank.example' }),
      ],
      DEFAULT_POLICY,
      5,
    );
    expect(found.map((d) => [d.senderKey, d.action])).toEqual([
      [`${RULES_PREFIX}deals@shop.example|promotions`, 'trash'],
      [`${RULES_PREFIX}plain@shop.example|promotions`, 'keep'],
      [`${RULES_PREFIX}both@shop.example|promotions`, 'mixed'],
    ]);
  });

  it('searches only current, unmixed, searchable senders that are not on the keep-list', () => {
    const policy = { ...DEFAULT_POLICY, keepSenders: ['@bank.example'] };
    const found = decidedSenders(
      [
        decision('news@shop.example|promotions', 'trash'),
        decision('club@shop.example|social', 'keep'),
        decision('mix@shop.example|promotions', 'mixed'),
        decision('offers@bank.example|promotions', 'trash'),
        decision('friend@mail.example|primary', 'keep'),
        decision('"odd name"@shop.example|promotions', 'trash'),
        decision(`${RULES_PREFIX}rules@shop.example|promotions`, 'trash'),
        { ...decision('old@shop.example|promotions', 'trash'), policyVersion: 0 },
      ],
      '',
      policy,
    );
    expect(Object.fromEntries(found)).toEqual({
      promotions: { trash: ['news@shop.example'], keep: [] },
      social: { trash: [], keep: ['club@shop.example'] },
      // Someone the owner replied to: their new Primary mail is found by search too.
      primary: { trash: [], keep: ['friend@mail.example'] },
    });
    const rules = decidedSenders(
      [decision(`${RULES_PREFIX}rules@shop.example|promotions`, 'trash')],
      RULES_PREFIX,
      policy,
    );
    expect(rules.get('promotions')?.trash).toEqual(['rules@shop.example']);
  });

  it('tells the addresses a search term names, lowercased', () => {
    const [term] = fromTerms(['Deals@Shop.example', 'b@x.example'], 40);
    expect(addressesOf(term!)).toEqual(['deals@shop.example', 'b@x.example']);
  });

  it('names at most so many senders in one search term', () => {
    expect(fromTerms(['a@x.example', 'b@x.example', 'c@x.example'], 2)).toEqual([
      '{from:a@x.example from:b@x.example}',
      '{from:c@x.example}',
    ]);
  });
});
