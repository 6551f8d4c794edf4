import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/domain/ports.js';
import { aUser, unique } from './store-contract.js';

/**
 * The Store contract for conversations the owner touched: replied threads and the marks that
 * protect a conversation. Part of describeStoreContract, which gives a fresh store per test.
 */
export function describeThreadsContract(store: () => Store): void {
  describe('replied threads', () => {
    it('returns the subset of thread ids the user replied in', async () => {
      const userId = unique('user');
      await store().addRepliedThreads(userId, ['t1', 't2', 't3']);
      const found = await store().repliedThreads(userId, ['t0', 't2', 't3', 't4']);
      expect(found).toEqual(new Set(['t2', 't3']));
      expect(await store().repliedThreads(userId, [])).toEqual(new Set());
    });

    it('adds the same thread twice without complaint', async () => {
      const userId = unique('user');
      await store().addRepliedThreads(userId, ['t1', 't1']);
      await store().addRepliedThreads(userId, ['t1']);
      expect(await store().repliedThreads(userId, ['t1'])).toEqual(new Set(['t1']));
    });

    it("never shows one user another user's threads", async () => {
      const [alice, bob] = [unique('user'), unique('user')];
      await store().addRepliedThreads(alice, ['shared-id']);
      expect((await store().repliedThreads(bob, ['shared-id'])).size).toBe(0);
    });
  });

  describe('marked conversations', () => {
    it('returns the marked ones among the asked thread ids, with how they were marked', async () => {
      const userId = unique('user');
      await store().addMarkedThreads(
        userId,
        new Map([
          ['t1', 'starred'],
          ['t2', 'labelled'],
          ['t3', 'snoozed'],
        ]),
      );
      const found = await store().markedThreads(userId, ['t0', 't2', 't3', 't4']);
      expect(found).toEqual(
        new Map([
          ['t2', 'labelled'],
          ['t3', 'snoozed'],
        ]),
      );
      expect(await store().markedThreads(userId, [])).toEqual(new Map());
    });

    it('keeps every mark of a conversation and names the strongest', async () => {
      const userId = unique('user');
      await store().addMarkedThreads(userId, new Map([['t1', 'snoozed']]));
      await store().addMarkedThreads(userId, new Map([['t1', 'labelled']]));
      await store().addMarkedThreads(userId, new Map([['t1', 'snoozed']]));
      expect(await store().markedThreads(userId, ['t1'])).toEqual(new Map([['t1', 'labelled']]));
      await store().addMarkedThreads(userId, new Map([['t1', 'starred']]));
      expect(await store().markedThreads(userId, ['t1'])).toEqual(new Map([['t1', 'starred']]));
    });

    it('remembers every mark of a conversation given in one call, as in one call per mark', async () => {
      const [once, apart] = [unique('user'), unique('user')];
      const pairs = [
        ['t1', 'snoozed'],
        ['t1', 'sent'],
        ['t2', 'labelled'],
        ['t1', 'starred'],
      ] as const;
      await store().addMarkedThreads(once, pairs);
      for (const pair of pairs) await store().addMarkedThreads(apart, [pair]);
      const threads = ['t1', 't2', 't3'];
      expect(await store().markedThreads(once, threads)).toEqual(
        await store().markedThreads(apart, threads),
      );
      expect(await store().markedThreads(once, threads)).toEqual(
        new Map([
          ['t1', 'starred'],
          ['t2', 'labelled'],
        ]),
      );
      expect(await store().repliedThreads(once, threads)).toEqual(new Set(['t1']));
    });

    it('gives every marked conversation of a user, each with every mark it was given', async () => {
      const [userId, other] = [unique('user'), unique('user')];
      expect(await store().allMarkedThreads(userId)).toEqual(new Map());
      await store().addRepliedThreads(userId, ['r1', 't:1']);
      await store().addMarkedThreads(userId, [
        ['t:1', 'starred'],
        ['s1', 'snoozed'],
        ['s1', 'labelled'],
        ['d1', 'draft'],
      ]);
      await store().addMarkedThreads(other, [['x1', 'starred']]);
      expect(await store().allMarkedThreads(userId)).toEqual(
        new Map([
          ['r1', new Set(['sent'])],
          ['t:1', new Set(['sent', 'starred'])],
          ['s1', new Set(['snoozed', 'labelled'])],
          ['d1', new Set(['draft'])],
        ]),
      );
    });

    it('counts replied threads as conversations marked sent, and only those as replied', async () => {
      const userId = unique('user');
      await store().addRepliedThreads(userId, ['r1']);
      await store().addMarkedThreads(userId, new Map([['s1', 'starred']]));
      await store().addMarkedThreads(userId, new Map([['r2', 'sent']]));
      expect(await store().markedThreads(userId, ['r1', 's1', 'r2'])).toEqual(
        new Map([
          ['r1', 'sent'],
          ['s1', 'starred'],
          ['r2', 'sent'],
        ]),
      );
      expect(await store().repliedThreads(userId, ['r1', 's1', 'r2'])).toEqual(
        new Set(['r1', 'r2']),
      );
    });

    it("never shows one user another user's marks, and forgets them with the user", async () => {
      const alice = aUser();
      const bob = unique('user');
      await store().putUser(alice);
      await store().addMarkedThreads(alice.id, new Map([['shared-id', 'starred']]));
      expect((await store().markedThreads(bob, ['shared-id'])).size).toBe(0);
      await store().deleteUser(alice.id);
      expect((await store().markedThreads(alice.id, ['shared-id'])).size).toBe(0);
    });
  });
}
