import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';

/** The SQL behind the in-process queue: one row per task, in table `queue_tasks`. */

export type TaskStatus = 'pending' | 'running' | 'done' | 'dead';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS queue_tasks (
    name TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS queue_tasks_status_due ON queue_tasks (status, due_at);
`;

const claimedRow = z.object({
  name: z.string(),
  path: z.string(),
  payload: z.string(),
  attempts: z.number().int(),
  due_at: z.number(),
});
export type ClaimedRow = z.infer<typeof claimedRow>;

const countRow = z.object({ status: z.string(), n: z.number() });
const nameRow = z.object({ name: z.string() });

export interface NewTaskRow {
  readonly name: string;
  readonly path: string;
  readonly payload: string;
  readonly dueAt: number;
  readonly now: number;
  /** A finished (done or dead) task with this name last changed before this may be replaced. */
  readonly reusableBefore: number;
}

export class TaskTable {
  private readonly insertStmt: StatementSync;
  private readonly claimStmt: StatementSync;
  private readonly finishStmt: StatementSync;
  private readonly rescheduleStmt: StatementSync;
  private readonly runningStmt: StatementSync;
  private readonly requeueStmt: StatementSync;
  private readonly pruneStmt: StatementSync;
  private readonly dueStmt: StatementSync;
  private readonly countStmt: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(SCHEMA);
    // A finished name becomes free again once the dedupe window has passed; any other
    // conflict leaves the existing row alone (Cloud Tasks' ALREADY_EXISTS).
    this.insertStmt = db.prepare(`
      INSERT INTO queue_tasks (name, path, payload, status, attempts, due_at, created_at, updated_at)
      VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET
        path = excluded.path, payload = excluded.payload, status = 'pending', attempts = 0,
        due_at = excluded.due_at, last_error = NULL,
        created_at = excluded.created_at, updated_at = excluded.updated_at
      WHERE queue_tasks.status IN ('done', 'dead') AND queue_tasks.updated_at <= ?`);
    // One statement, so a task is claimed once even by two processes on the same file.
    this.claimStmt = db.prepare(`
      UPDATE queue_tasks SET status = 'running', attempts = attempts + 1, updated_at = ?
      WHERE name IN (
        SELECT name FROM queue_tasks WHERE status = 'pending' AND due_at <= ?
        ORDER BY due_at, created_at LIMIT ?)
      RETURNING name, path, payload, attempts, due_at`);
    // `attempts` fences each claim: a late answer to an attempt that was since taken over
    // (after a restart) changes nothing.
    this.finishStmt = db.prepare(`
      UPDATE queue_tasks SET status = ?, last_error = ?, updated_at = ?
      WHERE name = ? AND status = 'running' AND attempts = ?`);
    this.rescheduleStmt = db.prepare(`
      UPDATE queue_tasks SET status = 'pending', due_at = ?, last_error = ?, updated_at = ?
      WHERE name = ? AND status = 'running' AND attempts = ?`);
    this.runningStmt = db.prepare(`SELECT name FROM queue_tasks WHERE status = 'running'`);
    this.requeueStmt = db.prepare(`
      UPDATE queue_tasks SET status = 'pending', due_at = ?, updated_at = ?
      WHERE name = ? AND status = 'running'`);
    this.pruneStmt = db.prepare(
      `DELETE FROM queue_tasks WHERE status = 'done' AND updated_at <= ?`,
    );
    this.dueStmt = db.prepare(
      `SELECT 1 FROM queue_tasks WHERE status = 'pending' AND due_at <= ? LIMIT 1`,
    );
    this.countStmt = db.prepare(`SELECT status, COUNT(*) AS n FROM queue_tasks GROUP BY status`);
  }

  /** Adds the task unless its name is taken; returns whether it was added. */
  insert(row: NewTaskRow): boolean {
    const { changes } = this.insertStmt.run(
      row.name,
      row.path,
      row.payload,
      row.dueAt,
      row.now,
      row.now,
      row.reusableBefore,
    );
    return Number(changes) > 0;
  }

  /** Marks up to `limit` due tasks running, earliest due first, counting the attempt. */
  claimDue(now: number, limit: number): ClaimedRow[] {
    if (limit <= 0) return [];
    const rows = this.claimStmt.all(now, now, limit).map((row) => claimedRow.parse(row));
    return rows.sort((a, b) => a.due_at - b.due_at);
  }

  complete(name: string, attempt: number, now: number): void {
    this.finishStmt.run('done', null, now, name, attempt);
  }

  bury(name: string, attempt: number, error: string, now: number): void {
    this.finishStmt.run('dead', error, now, name, attempt);
  }

  reschedule(name: string, attempt: number, dueAt: number, error: string, now: number): void {
    this.rescheduleStmt.run(dueAt, error, now, name, attempt);
  }

  /** Makes tasks left running (by a process that died) due now, except the given ones. */
  requeueRunning(now: number, except: ReadonlySet<string>): number {
    let requeued = 0;
    for (const row of this.runningStmt.all()) {
      const { name } = nameRow.parse(row);
      if (except.has(name)) continue;
      requeued += Number(this.requeueStmt.run(now, now, name).changes);
    }
    return requeued;
  }

  /** Forgets completed tasks last changed at or before `before`, freeing their names. */
  pruneDone(before: number): number {
    return Number(this.pruneStmt.run(before).changes);
  }

  hasDue(now: number): boolean {
    return this.dueStmt.get(now) !== undefined;
  }

  counts(): Record<TaskStatus, number> {
    const counts: Record<TaskStatus, number> = { pending: 0, running: 0, done: 0, dead: 0 };
    for (const row of this.countStmt.all()) {
      const { status, n } = countRow.parse(row);
      if (status in counts) counts[status as TaskStatus] = n;
    }
    return counts;
  }
}
