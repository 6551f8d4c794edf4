import type { MessageMeta } from '../../src/domain/message.js';
import type { SenderDecision } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 10, 15);

let sequence = 0;

/** A message's metadata; by default a personal message from three months ago. */
export function meta(overrides: Partial<MessageMeta> = {}): MessageMeta {
  sequence++;
  const id = (0x18c0000000000000n + BigInt(sequence)).toString(16);
  return {
    id,
    threadId: id,
    labelIds: ['INBOX', 'CATEGORY_PERSONAL'],
    fromAddress: 'sam.morgan@example.com',
    fromName: 'Sam Morgan',
    subject: 'Dinner on Friday?',
    snippet: 'Hi, just checking whether Friday still works for you.',
    sizeEstimate: 12_000,
    internalDate: NOW - 90 * DAY,
    listUnsubscribe: false,
    listId: null,
    ...overrides,
  };
}

/** A promotion from a shop's mailing list. */
export function promo(fromAddress: string, overrides: Partial<MessageMeta> = {}): MessageMeta {
  return meta({
    labelIds: ['CATEGORY_PROMOTIONS'],
    fromAddress,
    fromName: 'Northwind Outfitters',
    subject: `${10 + (sequence % 7) * 5}% off everything this weekend`,
    snippet: 'Shop the sale before it ends. Use code SAVE20 at checkout.',
    sizeEstimate: 45_000,
    listUnsubscribe: true,
    listId: `<${fromAddress.replace('@', '.')}>`,
    ...overrides,
  });
}

/** The sender-decision half of a Store, in memory. */
export class MemorySenderCache implements Pick<Store, 'getSenderDecisions' | 'putSenderDecisions'> {
  readonly byUser = new Map<string, Map<string, SenderDecision>>();

  async getSenderDecisions(userId: string, keys: readonly string[]) {
    const all = this.byUser.get(userId) ?? new Map<string, SenderDecision>();
    return new Map(keys.flatMap((k) => (all.has(k) ? [[k, all.get(k)!] as const] : [])));
  }

  async putSenderDecisions(userId: string, decisions: readonly SenderDecision[]) {
    const all = this.byUser.get(userId) ?? new Map<string, SenderDecision>();
    for (const d of decisions) all.set(d.senderKey, d);
    this.byUser.set(userId, all);
  }
}
