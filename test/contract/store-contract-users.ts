import { describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/model.js';
import type { Store } from '../../src/domain/ports.js';
import { aSenderDecision, aUser, storedRuns, T0, unique } from './store-contract.js';

/**
 * The Store contract for user records: reading, replacing and patching a user, the watch
 * renewal list, and deleting a user with everything that is theirs. Part of
 * describeStoreContract, which gives a fresh store per test.
 */
export function describeUsersContract(store: () => Store): void {
  const aStoredRun = storedRuns(store);

  describe('users', () => {
    it('returns undefined for a user that does not exist', async () => {
      expect(await store().getUser(unique('nobody'))).toBeUndefined();
    });

    it('reads a user back exactly as it was put', async () => {
      const user = aUser({
        openAiKey: 'v1.key-1.aXY.dGFn.a2V5',
        needsReconnect: true,
        watch: { topic: 'projects/p/topics/gmail', expiration: T0 + 5, lastNotificationAt: T0 },
        cursor: { historyId: '12345', updatedAt: T0 },
      });
      await store().putUser(user);
      expect(await store().getUser(user.id)).toEqual(user);
    });

    it('replaces the whole record when a user is put again', async () => {
      const user = aUser({ cursor: { historyId: '7', updatedAt: T0 } });
      await store().putUser(user);
      const replaced = aUser({ id: user.id, refreshToken: null, updatedAt: T0 + 9 });
      await store().putUser(replaced);
      expect(await store().getUser(user.id)).toEqual(replaced);
    });

    it('finds a user by email hash and nobody by an unknown hash', async () => {
      const user = aUser();
      await store().putUser(aUser());
      await store().putUser(user);
      expect(await store().findUserByEmailHash(user.emailHash)).toEqual(user);
      expect(await store().findUserByEmailHash(unique('hash'))).toBeUndefined();
    });

    it('changes only the patched fields and returns the updated user', async () => {
      const user = aUser();
      await store().putUser(user);
      const watch = { topic: 't', expiration: T0 + 100, lastNotificationAt: null };
      const updated = await store().updateUser(user.id, { watch, updatedAt: T0 + 1 });
      const expected = { ...user, watch, updatedAt: T0 + 1 };
      expect(updated).toEqual(expected);
      expect(await store().getUser(user.id)).toEqual(expected);
    });

    it('leaves a field alone when the patch gives it as undefined', async () => {
      const user = aUser({ openAiKey: 'v1.k.a.b.c' });
      await store().putUser(user);
      await store().updateUser(user.id, { openAiKey: undefined, needsReconnect: true });
      expect(await store().getUser(user.id)).toEqual({ ...user, needsReconnect: true });
    });

    it('clears the watch and the cursor when they are patched to null', async () => {
      const user = aUser({
        watch: { topic: 't', expiration: T0, lastNotificationAt: null },
        cursor: { historyId: '1', updatedAt: T0 },
      });
      await store().putUser(user);
      await store().updateUser(user.id, { watch: null, cursor: null });
      expect(await store().getUser(user.id)).toEqual({ ...user, watch: null, cursor: null });
    });

    it('never changes the id or creation time through a patch', async () => {
      const user = aUser();
      await store().putUser(user);
      const sneaky = { id: 'other', createdAt: 1 } as unknown as Partial<User>;
      await store().updateUser(user.id, sneaky);
      expect(await store().getUser(user.id)).toEqual(user);
      expect(await store().getUser('other')).toBeUndefined();
    });

    it('returns undefined when updating a user that does not exist, and creates nobody', async () => {
      const id = unique('nobody');
      expect(await store().updateUser(id, { needsReconnect: true })).toBeUndefined();
      expect(await store().getUser(id)).toBeUndefined();
    });

    it('lists users whose watch expires before a time, soonest first, up to the limit', async () => {
      const watch = (expiration: number) => ({
        topic: 't',
        expiration,
        lastNotificationAt: null,
      });
      const late = aUser({ watch: watch(T0 + 30) });
      const soon = aUser({ watch: watch(T0 + 10) });
      const sooner = aUser({ watch: watch(T0 + 5) });
      const atTheLimit = aUser({ watch: watch(T0 + 40) });
      for (const user of [late, soon, sooner, atTheLimit, aUser()]) await store().putUser(user);

      expect(await store().listUsersWithWatchBefore(T0 + 40, 100)).toEqual([sooner, soon, late]);
      expect(await store().listUsersWithWatchBefore(T0 + 40, 2)).toEqual([sooner, soon]);
    });

    it('leaves users without a watch out of the renewal list', async () => {
      const user = aUser({ watch: null });
      await store().putUser(user);
      const due = await store().listUsersWithWatchBefore(Number.MAX_SAFE_INTEGER, 10_000);
      expect(due.map((u) => u.id)).not.toContain(user.id);
    });

    it('deletes a user with all their runs, batches, sender decisions and replied threads', async () => {
      const user = aUser();
      const other = aUser();
      await Promise.all([store().putUser(user), store().putUser(other)]);
      const run = await aStoredRun({ userId: user.id }, 2);
      const otherRun = await aStoredRun({ userId: other.id }, 2);
      for (const id of [user.id, other.id]) {
        await store().putSenderDecisions(id, [aSenderDecision()]);
        await store().addRepliedThreads(id, ['thread-1']);
      }

      await store().deleteUser(user.id);

      expect(await store().getUser(user.id)).toBeUndefined();
      expect(await store().getRun(run.id)).toBeUndefined();
      expect(await store().listRuns(user.id, 10)).toEqual([]);
      expect(await store().listBatches(run.id)).toEqual([]);
      expect((await store().getSenderDecisions(user.id, ['news@shop.example'])).size).toBe(0);
      expect((await store().repliedThreads(user.id, ['thread-1'])).size).toBe(0);

      expect(await store().getUser(other.id)).toEqual(other);
      expect(await store().getRun(otherRun.id)).toEqual(otherRun);
      expect(await store().listBatches(otherRun.id)).toHaveLength(2);
      expect((await store().getSenderDecisions(other.id, ['news@shop.example'])).size).toBe(1);
      expect(await store().repliedThreads(other.id, ['thread-1'])).toEqual(new Set(['thread-1']));
    });

    it('does nothing when deleting a user that does not exist', async () => {
      await expect(store().deleteUser(unique('nobody'))).resolves.toBeUndefined();
    });
  });
}
