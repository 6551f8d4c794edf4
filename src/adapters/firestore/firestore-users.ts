import { FieldPath } from '@google-cloud/firestore';
import type { User } from '../../domain/model.js';
import type { UserPatch } from '../../domain/user-store.js';
import { AppError } from '../../errors.js';
import { definedFields, type FirestoreContext } from './firestore-context.js';
import { toUser, userData } from './firestore-documents.js';
import { runs, userRef, users } from './firestore-paths.js';

/** Gmail history ids are unsigned 64-bit integers written in decimal. */
const HISTORY_ID = /^\d{1,20}$/;

/** `users/{userId}`: user records, the lookups that find them, and the history cursor. */
export class FirestoreUsers {
  constructor(private readonly ctx: FirestoreContext) {}

  async get(userId: string): Promise<User | undefined> {
    const snapshot = await this.ctx.getDoc(userRef(this.ctx.db, userId));
    return snapshot.exists ? toUser(snapshot.data()) : undefined;
  }

  async findByEmailHash(emailHash: string): Promise<User | undefined> {
    const query = users(this.ctx.db)
      .where('emailHash', '==', emailHash)
      .orderBy(FieldPath.documentId())
      .limit(1);
    const doc = (await this.ctx.query(query)).docs[0];
    return doc && toUser(doc.data());
  }

  async put(user: User): Promise<void> {
    await userRef(this.ctx.db, user.id).set(userData(user));
    this.ctx.meter.write();
  }

  async update(userId: string, patch: UserPatch): Promise<User | undefined> {
    return this.ctx.transaction(async (tx) => {
      const snapshot = await this.ctx.getDoc(userRef(this.ctx.db, userId), tx);
      if (!snapshot.exists) return undefined;
      const user = toUser(snapshot.data());
      const next: User = {
        ...user,
        ...definedFields(patch),
        id: user.id,
        createdAt: user.createdAt,
      };
      tx.set(snapshot.ref, userData(next));
      this.ctx.meter.write();
      return next;
    });
  }

  /** Deletes the user's document, its subcollections, and every run with its batches and shards. */
  async delete(userId: string): Promise<void> {
    const owned = await this.ctx.query(runs(this.ctx.db).where('userId', '==', userId).select());
    const writer = this.ctx.db.bulkWriter();
    writer.onWriteResult(() => {
      // recursiveDelete lists each document before deleting it.
      this.ctx.meter.read(1);
      this.ctx.meter.delete();
    });
    await Promise.all([
      ...owned.docs.map((run) => this.ctx.db.recursiveDelete(run.ref, writer)),
      this.ctx.db.recursiveDelete(userRef(this.ctx.db, userId), writer),
    ]);
    await writer.close();
  }

  async listWithWatchBefore(before: number, limit: number): Promise<User[]> {
    const query = users(this.ctx.db)
      .where('watch.expiration', '<', before)
      .orderBy('watch.expiration')
      .orderBy(FieldPath.documentId())
      .limit(limit);
    return (await this.ctx.query(query)).docs.map((doc) => toUser(doc.data()));
  }

  async listSyncedBefore(before: number, limit: number): Promise<User[]> {
    const query = users(this.ctx.db)
      .where('cursor.updatedAt', '<', before)
      .orderBy('cursor.updatedAt')
      .orderBy(FieldPath.documentId())
      .limit(limit);
    return (await this.ctx.query(query)).docs.map((doc) => toUser(doc.data()));
  }

  async recordNotification(userId: string, at: number): Promise<void> {
    await this.ctx.transaction(async (tx) => {
      const snapshot = await this.ctx.getDoc(userRef(this.ctx.db, userId), tx);
      if (!snapshot.exists) return;
      const watch = toUser(snapshot.data()).watch;
      if (!watch || (watch.lastNotificationAt ?? -1) >= at) return;
      // A field path: a renewal that changed the expiration meanwhile keeps its value.
      tx.update(snapshot.ref, { 'watch.lastNotificationAt': at });
      this.ctx.meter.write();
    });
  }

  async advanceCursor(
    userId: string,
    expected: string | null,
    next: string,
    now: number,
  ): Promise<boolean> {
    if (!HISTORY_ID.test(next)) {
      throw new AppError('internal', 'A history id must be a decimal number');
    }
    return this.ctx.transaction(async (tx) => {
      const snapshot = await this.ctx.getDoc(userRef(this.ctx.db, userId), tx);
      if (!snapshot.exists) return false;
      const current = toUser(snapshot.data()).cursor?.historyId ?? null;
      if (current !== expected) return false;
      if (current !== null && BigInt(next) < BigInt(current)) return false;
      tx.update(snapshot.ref, { cursor: { historyId: next, updatedAt: now } });
      this.ctx.meter.write();
      return true;
    });
  }
}
