import { describe, expect, it } from 'vitest';
import type { MessageMeta } from './message.js';
import { DEFAULT_POLICY } from './model.js';
import { RulesClassifier } from './rules-classifier.js';

const NOW = Date.UTC(2026, 10, 21);
const DAY = 86_400_000;
const promo: MessageMeta = {
  id: '0000000000000001',
  threadId: 't',
  labelIds: ['CATEGORY_PROMOTIONS'],
  fromAddress: 'deals@shop.example',
  fromName: 'Shop',
  subject: 'Sale',
  snippet: '',
  sizeEstimate: 1,
  internalDate: NOW - 90 * DAY,
  listUnsubscribe: true,
  listId: null,
};

async function judge(message: MessageMeta) {
  const result = await new RulesClassifier().classify({
    userId: 'u',
    policy: DEFAULT_POLICY,
    messages: [message],
    now: NOW,
  });
  return result.answers.get(message.id)!;
}

describe('RulesClassifier', () => {
  it('trashes old promotions and social mail that carry an unsubscribe link', async () => {
    expect((await judge(promo)).action).toBe('trash');
    expect((await judge({ ...promo, labelIds: ['CATEGORY_SOCIAL'] })).action).toBe('trash');
  });

  it('keeps everything that is not obvious bulk mail', async () => {
    expect((await judge({ ...promo, labelIds: ['CATEGORY_UPDATES'] })).action).toBe('keep');
    expect((await judge({ ...promo, listUnsubscribe: false })).action).toBe('keep');
    expect((await judge({ ...promo, internalDate: NOW - 5 * DAY })).action).toBe('keep');
    expect((await judge({ ...promo, labelIds: ['CATEGORY_PROMOTIONS', 'IMPORTANT'] })).action).toBe(
      'keep',
    );
  });
});
