import { describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import { aUser, T0, unique } from './store-contract.js';

/**
 * The Store contract for the history cursor: it moves only forward from the expected value,
 * comparing history ids as numbers. Part of describeStoreContract, which gives a fresh store
 * per test.
 */
export function describeCursorContract(store: () => Store): void {
  describe('history cursor', () => {
    async function aUserAt(historyId: string | null): Promise<User> {
      const user = aUser({ cursor: historyId === null ? null : { historyId, updatedAt: T0 } });
      await store().putUser(user);
      return user;
    }

    it('sets the first cursor when none is expected and none exists', async () => {
      const user = await aUserAt(null);
      expect(await store().advanceCursor(user.id, null, '500', T0 + 5)).toBe(true);
      expect((await store().getUser(user.id))?.cursor).toEqual({
        historyId: '500',
        updatedAt: T0 + 5,
      });
    });

    it('moves forward from the expected cursor and records when', async () => {
      const user = await aUserAt('500');
      expect(await store().advanceCursor(user.id, '500', '640', T0 + 5)).toBe(true);
      expect((await store().getUser(user.id))?.cursor).toEqual({
        historyId: '640',
        updatedAt: T0 + 5,
      });
    });

    it('refuses when the cursor is no longer the expected one', async () => {
      const user = await aUserAt('700');
      expect(await store().advanceCursor(user.id, '500', '800', T0 + 5)).toBe(false);
      expect(await store().advanceCursor(user.id, null, '800', T0 + 5)).toBe(false);
      expect((await store().getUser(user.id))?.cursor).toEqual(user.cursor);
    });

    it('refuses to move backward', async () => {
      const user = await aUserAt('1000');
      expect(await store().advanceCursor(user.id, '1000', '999', T0 + 5)).toBe(false);
      expect((await store().getUser(user.id))?.cursor).toEqual(user.cursor);
    });

    it('compares history ids as numbers, not as strings', async () => {
      const user = await aUserAt('999');
      expect(await store().advanceCursor(user.id, '999', '1000', T0 + 5)).toBe(true);
      expect((await store().getUser(user.id))?.cursor?.historyId).toBe('1000');
    });

    it('compares 20-digit history ids exactly', async () => {
      const user = await aUserAt('18446744073709551614');
      const backward = '18446744073709551613';
      expect(await store().advanceCursor(user.id, user.cursor!.historyId, backward, T0)).toBe(
        false,
      );
      const forward = '18446744073709551615';
      expect(await store().advanceCursor(user.id, user.cursor!.historyId, forward, T0)).toBe(true);
      expect((await store().getUser(user.id))?.cursor?.historyId).toBe(forward);
    });

    it('accepts the same history id again and refreshes the time', async () => {
      const user = await aUserAt('500');
      expect(await store().advanceCursor(user.id, '500', '500', T0 + 9)).toBe(true);
      expect((await store().getUser(user.id))?.cursor).toEqual({
        historyId: '500',
        updatedAt: T0 + 9,
      });
    });

    it('lets only one of two racing advances from the same cursor win', async () => {
      const user = await aUserAt('500');
      const results = await Promise.all([
        store().advanceCursor(user.id, '500', '600', T0 + 1),
        store().advanceCursor(user.id, '500', '700', T0 + 2),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('leaves the rest of the user record alone', async () => {
      const user = await aUserAt('500');
      await store().advanceCursor(user.id, '500', '600', T0 + 1);
      const after = await store().getUser(user.id);
      expect({ ...after, cursor: user.cursor }).toEqual(user);
    });

    it('returns false for a user that does not exist', async () => {
      const missing = unique('nobody');
      expect(await store().advanceCursor(missing, null, '1', T0)).toBe(false);
      expect(await store().getUser(missing)).toBeUndefined();
    });

    it('rejects a history id that is not a decimal number', async () => {
      const user = await aUserAt('500');
      await expect(store().advanceCursor(user.id, '500', 'abc', T0)).rejects.toThrow();
      await expect(store().advanceCursor(user.id, '500', '-1', T0)).rejects.toThrow();
      expect((await store().getUser(user.id))?.cursor).toEqual(user.cursor);
    });
  });
}
