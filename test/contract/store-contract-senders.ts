import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/domain/ports.js';
import { aSenderDecision, T0, unique } from './store-contract.js';

/**
 * The Store contract for sender decisions: kept per user, the last one put wins, listed newest
 * first. Part of describeStoreContract, which gives a fresh store per test.
 */
export function describeSenderDecisionsContract(store: () => Store): void {
  describe('sender decisions', () => {
    it('returns only the decisions that exist, keyed by sender', async () => {
      const userId = unique('user');
      const news = aSenderDecision({ senderKey: 'news@shop.example' });
      const bank = aSenderDecision({ senderKey: '@bank.example', action: 'keep' });
      await store().putSenderDecisions(userId, [news, bank]);
      const found = await store().getSenderDecisions(userId, [
        'news@shop.example',
        '@bank.example',
        'unknown@x.example',
      ]);
      expect(found).toEqual(
        new Map([
          ['news@shop.example', news],
          ['@bank.example', bank],
        ]),
      );
      expect(await store().getSenderDecisions(userId, [])).toEqual(new Map());
    });

    it('replaces a decision put again for the same sender', async () => {
      const userId = unique('user');
      await store().putSenderDecisions(userId, [aSenderDecision({ action: 'trash' })]);
      const newer = aSenderDecision({ action: 'mixed', policyVersion: 2, decidedAt: T0 + 1 });
      await store().putSenderDecisions(userId, [newer]);
      const found = await store().getSenderDecisions(userId, [newer.senderKey]);
      expect(found.get(newer.senderKey)).toEqual(newer);
    });

    it('lists the most recently decided senders first, up to the limit', async () => {
      const userId = unique('user');
      const decisions = [3, 1, 4, 2].map((n) =>
        aSenderDecision({ senderKey: `s${n}@shop.example|promotions`, decidedAt: T0 + n }),
      );
      await store().putSenderDecisions(userId, decisions);
      await store().putSenderDecisions(unique('user'), [aSenderDecision({ decidedAt: T0 + 9 })]);
      const listed = await store().listSenderDecisions(userId, 3);
      expect(listed.map((d) => d.senderKey)).toEqual([
        's4@shop.example|promotions',
        's3@shop.example|promotions',
        's2@shop.example|promotions',
      ]);
      expect(listed[0]).toEqual(decisions[2]);
      expect(await store().listSenderDecisions(unique('user'), 10)).toEqual([]);
    });

    it('keeps the decision put last for a sender, whatever its decision time', async () => {
      const userId = unique('user');
      await store().putSenderDecisions(userId, [aSenderDecision({ decidedAt: T0 + 5 })]);
      const later = aSenderDecision({ action: 'keep', reason: 'asked again', decidedAt: T0 });
      await store().putSenderDecisions(userId, [later]);
      expect(
        (await store().getSenderDecisions(userId, [later.senderKey])).get(later.senderKey),
      ).toEqual(later);
      expect(await store().listSenderDecisions(userId, 5)).toEqual([later]);
    });

    it('finds every one of many senders put at once or one by one, and lists them newest first', async () => {
      const userId = unique('user');
      const many = Array.from({ length: 620 }, (_, n) =>
        aSenderDecision({ senderKey: `s${n}@tail.example`, decidedAt: T0 + n }),
      );
      await store().putSenderDecisions(userId, many);
      const again = many
        .slice(0, 40)
        .map((d) => ({ ...d, action: 'keep' as const, decidedAt: T0 + 1_000 }));
      for (const decision of again.slice(0, 5))
        await store().putSenderDecisions(userId, [decision]);
      await store().putSenderDecisions(userId, again.slice(5));
      const keys = [...many.map((d) => d.senderKey), 'unknown@tail.example'];
      const found = await store().getSenderDecisions(userId, keys);
      expect(found.size).toBe(620);
      expect(found.get('s0@tail.example')).toEqual(again[0]);
      expect(found.get('s39@tail.example')).toEqual(again[39]);
      expect(found.get('s40@tail.example')).toEqual(many[40]);
      const listed = await store().listSenderDecisions(userId, 45);
      expect(listed.slice(0, 40).map((d) => d.senderKey)).toEqual(
        again.map((d) => d.senderKey).sort(),
      );
      expect(listed.slice(40).map((d) => d.senderKey)).toEqual(
        [619, 618, 617, 616, 615].map((n) => `s${n}@tail.example`),
      );
      expect(await store().listSenderDecisions(userId, 1_000)).toHaveLength(620);
    });

    it("never shows one user another user's decisions", async () => {
      const [alice, bob] = [unique('user'), unique('user')];
      await store().putSenderDecisions(alice, [aSenderDecision()]);
      expect((await store().getSenderDecisions(bob, ['news@shop.example'])).size).toBe(0);
    });
  });
}
