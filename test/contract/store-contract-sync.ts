import { describe, expect, it } from 'vitest';
import type { User, WatchState } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import { aUser } from './store-contract.js';

/**
 * The Store contract for ongoing cleanup: catch-up listing by last sync, and the notification
 * time on the watch. Part of describeStoreContract, which gives a fresh store per test.
 */

const T0 = 1_700_000_000_000;

const aWatch = (overrides: Partial<WatchState> = {}): WatchState => ({
  topic: 'projects/p/topics/gmail',
  expiration: T0 + 7 * 86_400_000,
  lastNotificationAt: null,
  ...overrides,
});

const syncedAt = (updatedAt: number): Pick<User, 'cursor'> => ({
  cursor: { historyId: '500', updatedAt },
});

export function describeSyncContract(store: () => Store): void {
  describe('users due for a catch-up sync', () => {
    it('lists users last synced before a time, longest ago first, up to the limit', async () => {
      const recent = aUser(syncedAt(T0 + 30));
      const older = aUser(syncedAt(T0 + 10));
      const oldest = aUser(syncedAt(T0 + 5));
      const atTheLimit = aUser(syncedAt(T0 + 40));
      for (const user of [recent, older, oldest, atTheLimit]) await store().putUser(user);

      expect(await store().listUsersSyncedBefore(T0 + 40, 100)).toEqual([oldest, older, recent]);
      expect(await store().listUsersSyncedBefore(T0 + 40, 2)).toEqual([oldest, older]);
    });

    it('leaves users who never synced out of the list', async () => {
      const never = aUser({ cursor: null });
      await store().putUser(never);
      const due = await store().listUsersSyncedBefore(Number.MAX_SAFE_INTEGER, 10_000);
      expect(due.map((u) => u.id)).not.toContain(never.id);
    });

    it('drops a user from the list once the cursor is refreshed', async () => {
      const user = aUser(syncedAt(T0));
      await store().putUser(user);
      await store().advanceCursor(user.id, '500', '500', T0 + 100);
      expect(await store().listUsersSyncedBefore(T0 + 50, 10)).toEqual([]);
    });
  });

  describe('notification time', () => {
    it('records when the last notification came, and nothing else', async () => {
      const user = aUser({ watch: aWatch() });
      await store().putUser(user);
      await store().recordNotification(user.id, T0 + 5);
      expect(await store().getUser(user.id)).toEqual({
        ...user,
        watch: aWatch({ lastNotificationAt: T0 + 5 }),
      });
    });

    it('never moves the notification time backward', async () => {
      const user = aUser({ watch: aWatch({ lastNotificationAt: T0 + 50 }) });
      await store().putUser(user);
      await store().recordNotification(user.id, T0 + 5);
      expect((await store().getUser(user.id))?.watch?.lastNotificationAt).toBe(T0 + 50);
    });

    it('keeps a renewed expiration when a notification is recorded after the renewal', async () => {
      const user = aUser({ watch: aWatch() });
      await store().putUser(user);
      const renewed = aWatch({ expiration: T0 + 14 * 86_400_000 });
      await store().updateUser(user.id, { watch: renewed });
      await store().recordNotification(user.id, T0 + 7);
      expect((await store().getUser(user.id))?.watch).toEqual({
        ...renewed,
        lastNotificationAt: T0 + 7,
      });
    });

    it('creates no watch for a user without one, and nobody for an unknown id', async () => {
      const user = aUser({ watch: null });
      await store().putUser(user);
      await store().recordNotification(user.id, T0 + 5);
      await store().recordNotification('nobody-at-all', T0 + 5);
      expect(await store().getUser(user.id)).toEqual(user);
      expect(await store().getUser('nobody-at-all')).toBeUndefined();
    });
  });
}
