import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { transaction } from './sqlite-transaction.js';

export interface Migration {
  /** 1, 2, 3, ... in order; a released migration is never edited, only followed by a new one. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * `schema_migrations` records the applied versions per scope, so other tables sharing the
 * database file (the queue's, say) can keep their own numbering in the same table.
 */
const LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (scope, version)
  )`;

const latestRow = z.object({ version: z.number().int().nullable() });

/**
 * Applies, in one transaction, the migrations of `scope` newer than the last one recorded.
 * Returns the versions applied now (none when the database is up to date).
 */
export function applyMigrations(
  db: DatabaseSync,
  scope: string,
  migrations: readonly Migration[],
): number[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migrations of ${scope} must be numbered 1, 2, 3, ... in order`);
    }
  });
  return transaction(db, () => {
    db.exec(LEDGER);
    const latest =
      latestRow.parse(
        db
          .prepare('SELECT MAX(version) AS version FROM schema_migrations WHERE scope = ?')
          .get(scope),
      ).version ?? 0;
    if (latest > migrations.length) {
      throw new Error(
        `The database has ${scope} schema version ${latest}; this code knows ${migrations.length}`,
      );
    }
    const record = db.prepare(
      'INSERT INTO schema_migrations (scope, version, name) VALUES (?, ?, ?)',
    );
    const pending = migrations.slice(latest);
    for (const migration of pending) {
      db.exec(migration.sql);
      record.run(scope, migration.version, migration.name);
    }
    return pending.map((migration) => migration.version);
  });
}

/** The store's tables. They mirror the Firestore collections; JSON-valued fields are TEXT. */
export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, runs, batches, sender decisions, replied threads',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email_hash TEXT NOT NULL,
        refresh_token TEXT,
        open_ai_key TEXT,
        needs_reconnect INTEGER NOT NULL,
        policy TEXT NOT NULL,
        watch TEXT,
        watch_expiration INTEGER,
        cursor TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX users_email_hash ON users (email_hash);
      CREATE INDEX users_watch_expiration ON users (watch_expiration) WHERE watch_expiration IS NOT NULL;

      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        scheduled_at INTEGER NOT NULL,
        started_at INTEGER,
        ended_at INTEGER,
        start_history_id TEXT,
        total INTEGER NOT NULL,
        batch_count INTEGER,
        batches_done INTEGER NOT NULL,
        counters TEXT NOT NULL,
        llm TEXT NOT NULL,
        errors TEXT NOT NULL
      );
      CREATE INDEX runs_user_scheduled ON runs (user_id, scheduled_at DESC, id DESC);

      CREATE TABLE batches (
        run_id TEXT NOT NULL,
        batch_no INTEGER NOT NULL,
        message_ids TEXT NOT NULL,
        next_page_token TEXT,
        listed_through INTEGER NOT NULL,
        status TEXT NOT NULL,
        decisions TEXT NOT NULL,
        llm TEXT NOT NULL,
        PRIMARY KEY (run_id, batch_no)
      );

      CREATE TABLE sender_decisions (
        user_id TEXT NOT NULL,
        sender_key TEXT NOT NULL,
        action TEXT NOT NULL,
        reason TEXT NOT NULL,
        policy_version INTEGER NOT NULL,
        decided_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, sender_key)
      );

      CREATE TABLE replied_threads (
        user_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        PRIMARY KEY (user_id, thread_id)
      );
    `,
  },
  {
    version: 2,
    name: 'users by time of their last sync, for catch-up syncs',
    sql: `
      CREATE INDEX users_cursor_updated ON users (json_extract(cursor, '$.updatedAt'))
        WHERE cursor IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'what the scan by sender knows of a batch',
    sql: 'ALTER TABLE batches ADD COLUMN plan TEXT;',
  },
  {
    version: 4,
    name: 'conversations the user marked, replied threads among them',
    sql: `
      CREATE TABLE marked_threads (
        user_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        mark TEXT NOT NULL,
        PRIMARY KEY (user_id, thread_id, mark)
      );
      INSERT INTO marked_threads (user_id, thread_id, mark)
        SELECT user_id, thread_id, 'sent' FROM replied_threads;
      DROP TABLE replied_threads;
      `,
  },
  {
    version: 5,
    name: 'trash outbox: decided trash gathered across batches, per user',
    sql: `
      CREATE TABLE trash_outbox (
        user_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        batch_no INTEGER NOT NULL,
        ids TEXT NOT NULL,
        thread_ids TEXT NOT NULL,
        id_count INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, run_id, batch_no)
      );
      CREATE INDEX trash_outbox_oldest ON trash_outbox (user_id, queued_at, run_id, batch_no);
    `,
  },
  {
    version: 6,
    name: 'review runs: mode and when the owner applied one',
    sql: `
      ALTER TABLE runs ADD COLUMN mode TEXT NOT NULL DEFAULT 'auto';
      ALTER TABLE runs ADD COLUMN applied_at INTEGER;
    `,
  },
];
