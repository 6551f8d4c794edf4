import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { FINAL_STATUSES, type Run } from '../../domain/model.js';
import type { StatsSource, UserFigures } from '../../domain/operator-stats.js';
import { SqlRunner } from './sql-runner.js';
import { toRun } from './sqlite-rows.js';

const countsRow = z.object({
  total: z.number(),
  connected: z.number().nullable(),
  watching: z.number().nullable(),
  needing: z.number().nullable(),
});

/** The operator's figures read from the SQLite store's tables (local mode). */
export class SqliteStats implements StatsSource {
  private readonly runner: SqlRunner;

  /** `db` is the SqliteStore's database, its tables already migrated. */
  constructor(db: DatabaseSync) {
    this.runner = new SqlRunner(db);
  }

  async users(now: number): Promise<UserFigures> {
    const row = countsRow.parse(
      this.runner
        .sql(`SELECT COUNT(*) AS total,
          SUM(refresh_token IS NOT NULL AND needs_reconnect = 0) AS connected,
          SUM(watch_expiration IS NOT NULL AND watch_expiration > ?) AS watching,
          SUM(needs_reconnect = 1) AS needing
          FROM users`)
        .get(now),
    );
    return {
      total: row.total,
      connected: row.connected ?? 0,
      watching: row.watching ?? 0,
      needingSignIn: row.needing ?? 0,
    };
  }

  async runsSince(since: number, limit: number): Promise<Run[]> {
    return this.runner
      .sql('SELECT * FROM runs WHERE scheduled_at >= ? ORDER BY scheduled_at DESC LIMIT ?')
      .all(since, limit)
      .map(toRun);
  }

  async runsInProgress(limit: number): Promise<Run[]> {
    const final = FINAL_STATUSES.map(() => '?').join(', ');
    return this.runner
      .sql(`SELECT * FROM runs WHERE status NOT IN (${final}) ORDER BY scheduled_at ASC LIMIT ?`)
      .all(...FINAL_STATUSES, limit)
      .map(toRun);
  }
}
