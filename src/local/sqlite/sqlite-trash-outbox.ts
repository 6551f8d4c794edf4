import { z } from 'zod';
import type { QueuedTrash } from '../../domain/model.js';
import type { SqlRunner } from './sql-runner.js';
import type { Row } from './sqlite-rows.js';

const ids = z.array(z.string());
const outboxRow = z.object({
  run_id: z.string(),
  batch_no: z.number().int().nonnegative(),
  ids: z.string(),
  thread_ids: z.string(),
  queued_at: z.number().int(),
});

function toQueuedTrash(row: Row): QueuedTrash {
  const r = outboxRow.parse(row);
  return {
    runId: r.run_id,
    batchNo: r.batch_no,
    ids: ids.parse(JSON.parse(r.ids)),
    threadIds: ids.parse(JSON.parse(r.thread_ids)),
    queuedAt: r.queued_at,
  };
}

/** The `trash_outbox` table: one row per decided batch whose trash waits for a flush. */
export class SqliteTrashOutbox {
  constructor(private readonly runner: SqlRunner) {}

  queue(userId: string, entry: QueuedTrash): number {
    return this.runner.tx(() => this.add(userId, entry));
  }

  /**
   * Inside the caller's transaction: the entry added unless its batch has one already;
   * returns how many ids the user's outbox then holds.
   */
  add(userId: string, entry: QueuedTrash): number {
    this.runner
      .sql(
        `INSERT INTO trash_outbox (user_id, run_id, batch_no, ids, thread_ids, id_count, queued_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        userId,
        entry.runId,
        entry.batchNo,
        JSON.stringify(entry.ids),
        JSON.stringify(entry.threadIds),
        entry.ids.length,
        entry.queuedAt,
      );
    const row = this.runner
      .sql('SELECT COALESCE(SUM(id_count), 0) AS n FROM trash_outbox WHERE user_id = ?')
      .get(userId);
    return z.object({ n: z.number().int() }).parse(row).n;
  }

  oldest(userId: string, limit: number): QueuedTrash[] {
    return this.runner
      .sql(
        `SELECT run_id, batch_no, ids, thread_ids, queued_at FROM trash_outbox WHERE user_id = ?
         ORDER BY queued_at, run_id, batch_no LIMIT ?`,
      )
      .all(userId, limit)
      .map(toQueuedTrash);
  }

  remove(userId: string, entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[]): void {
    this.runner.tx(() => this.take(userId, entries));
  }

  /** remove inside the caller's transaction. */
  take(userId: string, entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[]): void {
    const remove = this.runner.sql(
      'DELETE FROM trash_outbox WHERE user_id = ? AND run_id = ? AND batch_no = ?',
    );
    for (const entry of entries) remove.run(userId, entry.runId, entry.batchNo);
  }

  removeUser(userId: string): void {
    this.runner.sql('DELETE FROM trash_outbox WHERE user_id = ?').run(userId);
  }
}
