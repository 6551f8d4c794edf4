import type { User } from '../../domain/model.js';
import type { UserPatch } from '../../domain/user-store.js';
import type { SqlRunner } from './sql-runner.js';
import { toUser, USER_UPSERT, userParams } from './sqlite-rows.js';
import { definedFields } from './sqlite-runs.js';

/** The users table: accounts, their watch and the lookups the crons make. */
export class SqliteUsers {
  constructor(private readonly runner: SqlRunner) {}

  get(userId: string): User | undefined {
    const row = this.runner.sql('SELECT * FROM users WHERE id = ?').get(userId);
    return row && toUser(row);
  }

  findByEmailHash(emailHash: string): User | undefined {
    const row = this.runner
      .sql('SELECT * FROM users WHERE email_hash = ? ORDER BY id LIMIT 1')
      .get(emailHash);
    return row && toUser(row);
  }

  put(user: User): void {
    this.runner.sql(USER_UPSERT).run(userParams(user));
  }

  update(userId: string, patch: UserPatch): User | undefined {
    return this.runner.tx(() => {
      const user = this.get(userId);
      if (!user) return undefined;
      this.put({ ...user, ...definedFields(patch), id: user.id, createdAt: user.createdAt });
      return this.get(userId);
    });
  }

  /** The user and everything kept for them; `alsoInside` runs in the same transaction. */
  delete(userId: string, alsoInside: () => void): void {
    const sql = (text: string) => this.runner.sql(text);
    this.runner.tx(() => {
      sql('DELETE FROM batches WHERE run_id IN (SELECT id FROM runs WHERE user_id = ?)').run(
        userId,
      );
      sql('DELETE FROM runs WHERE user_id = ?').run(userId);
      sql('DELETE FROM sender_decisions WHERE user_id = ?').run(userId);
      sql('DELETE FROM marked_threads WHERE user_id = ?').run(userId);
      alsoInside();
      sql('DELETE FROM users WHERE id = ?').run(userId);
    });
  }

  withWatchBefore(before: number, limit: number): User[] {
    return this.runner
      .sql('SELECT * FROM users WHERE watch_expiration < ? ORDER BY watch_expiration, id LIMIT ?')
      .all(before, limit)
      .map(toUser);
  }

  syncedBefore(before: number, limit: number): User[] {
    return this.runner
      .sql(
        `SELECT * FROM users WHERE cursor IS NOT NULL AND json_extract(cursor, '$.updatedAt') < ?
         ORDER BY json_extract(cursor, '$.updatedAt'), id LIMIT ?`,
      )
      .all(before, limit)
      .map(toUser);
  }

  recordNotification(userId: string, at: number): void {
    this.runner
      .sql(
        `UPDATE users SET watch = json_set(watch, '$.lastNotificationAt', ?)
         WHERE id = ? AND watch IS NOT NULL
           AND coalesce(json_extract(watch, '$.lastNotificationAt'), -1) < ?`,
      )
      .run(at, userId, at);
  }
}
