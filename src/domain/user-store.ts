import type { User } from './model.js';

export type UserPatch = Partial<Omit<User, 'id' | 'createdAt'>>;

/** The Store's users: records, the lookups that find them, and the history cursor. */
export interface UserStore {
  getUser(userId: string): Promise<User | undefined>;
  findUserByEmailHash(emailHash: string): Promise<User | undefined>;
  /** Creates or replaces the user record. */
  putUser(user: User): Promise<void>;
  /** Changes some fields; returns the updated user, or undefined when there is none. */
  updateUser(userId: string, patch: UserPatch): Promise<User | undefined>;
  /**
   * Deletes the user and every record that belongs to them (runs, batches, senders, threads,
   * trash outbox).
   */
  deleteUser(userId: string): Promise<void>;
  /** Users whose watch expires before `before` (epoch ms), for renewal. */
  listUsersWithWatchBefore(before: number, limit: number): Promise<User[]>;
  /**
   * Users with a history cursor last moved (or refreshed) before `before` (epoch ms), oldest
   * first: they have had no sync for a while, so they get a catch-up sync.
   */
  listUsersSyncedBefore(before: number, limit: number): Promise<User[]>;
  /**
   * Sets `watch.lastNotificationAt` to `at` when the user has a watch and `at` is later than
   * the recorded time; touches nothing else (a concurrent watch renewal keeps its expiration).
   */
  recordNotification(userId: string, at: number): Promise<void>;

  /**
   * Moves the user's history cursor to `next` only if it is still `expected` (compare-and-set)
   * and `next` is not older; returns whether it moved.
   */
  advanceCursor(
    userId: string,
    expected: string | null,
    next: string,
    now: number,
  ): Promise<boolean>;
}
