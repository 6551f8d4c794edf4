import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  type Batch,
  type LlmUsage,
  type MessageDecision,
  type PlannedBatch,
  type QueuedTrash,
  type Run,
  type RunCounters,
  type RunError,
  type RunStatus,
  type SenderDecision,
  type User,
  ZERO_USAGE,
} from '../../domain/model.js';
import type { CompleteBatch, RunPatch, Store, UserPatch } from '../../domain/ports.js';
import type { ConversationMark } from '../../domain/protection.js';
import {
  withApplied,
  withBatchCompleted,
  withError,
  withPlanningFinished,
} from '../../domain/run-progress.js';
import { AppError } from '../../errors.js';
import { SqlRunner } from './sql-runner.js';
import { applyMigrations, STORE_MIGRATIONS } from './sqlite-migrations.js';
import {
  RUN_INSERT,
  RUN_UPDATE,
  runParams,
  toBatch,
  toRun,
  toUser,
  USER_UPSERT,
  userParams,
} from './sqlite-rows.js';
import { SqliteTrashOutbox } from './sqlite-trash-outbox.js';
import { SqliteUserMemory } from './sqlite-user-memory.js';

/**
 * The Store on `node:sqlite`. Every method body is synchronous (no await), and each one that
 * reads before it writes does so in one BEGIN IMMEDIATE transaction, so concurrent calls on
 * the same handle or from other connections never interleave.
 */
export class SqliteStore implements Store {
  private readonly runner: SqlRunner;
  private readonly memory: SqliteUserMemory;
  private readonly outbox: SqliteTrashOutbox;

  /** Brings the store's tables up to date. The caller owns `db` and closes it. */
  constructor(db: DatabaseSync) {
    applyMigrations(db, 'store', STORE_MIGRATIONS);
    this.runner = new SqlRunner(db);
    this.memory = new SqliteUserMemory(this.runner);
    this.outbox = new SqliteTrashOutbox(this.runner);
  }

  async getUser(userId: string): Promise<User | undefined> {
    return this.readUser(userId);
  }

  async findUserByEmailHash(emailHash: string): Promise<User | undefined> {
    const row = this.sql('SELECT * FROM users WHERE email_hash = ? ORDER BY id LIMIT 1').get(
      emailHash,
    );
    return row && toUser(row);
  }

  async putUser(user: User): Promise<void> {
    this.writeUser(user);
  }

  async updateUser(userId: string, patch: UserPatch): Promise<User | undefined> {
    return this.tx(() => {
      const user = this.readUser(userId);
      if (!user) return undefined;
      const next: User = {
        ...user,
        ...definedFields(patch),
        id: user.id,
        createdAt: user.createdAt,
      };
      this.writeUser(next);
      return this.readUser(userId);
    });
  }

  async deleteUser(userId: string): Promise<void> {
    this.tx(() => {
      this.sql('DELETE FROM batches WHERE run_id IN (SELECT id FROM runs WHERE user_id = ?)').run(
        userId,
      );
      this.sql('DELETE FROM runs WHERE user_id = ?').run(userId);
      this.sql('DELETE FROM sender_decisions WHERE user_id = ?').run(userId);
      this.sql('DELETE FROM marked_threads WHERE user_id = ?').run(userId);
      this.outbox.removeUser(userId);
      this.sql('DELETE FROM users WHERE id = ?').run(userId);
    });
  }

  async listUsersWithWatchBefore(before: number, limit: number): Promise<User[]> {
    return this.sql(
      'SELECT * FROM users WHERE watch_expiration < ? ORDER BY watch_expiration, id LIMIT ?',
    )
      .all(before, limit)
      .map(toUser);
  }

  async listUsersSyncedBefore(before: number, limit: number): Promise<User[]> {
    return this.sql(
      `SELECT * FROM users WHERE cursor IS NOT NULL AND json_extract(cursor, '$.updatedAt') < ?
       ORDER BY json_extract(cursor, '$.updatedAt'), id LIMIT ?`,
    )
      .all(before, limit)
      .map(toUser);
  }

  async recordNotification(userId: string, at: number): Promise<void> {
    this.sql(
      `UPDATE users SET watch = json_set(watch, '$.lastNotificationAt', ?)
       WHERE id = ? AND watch IS NOT NULL
         AND coalesce(json_extract(watch, '$.lastNotificationAt'), -1) < ?`,
    ).run(at, userId, at);
  }

  async createRun(run: Run): Promise<void> {
    this.tx(() => {
      if (this.readRun(run.id)) throw new AppError('conflict', 'A run with this id already exists');
      this.sql(RUN_INSERT).run(runParams(run));
    });
  }

  async getRun(runId: string): Promise<Run | undefined> {
    return this.readRun(runId);
  }

  async listRuns(userId: string, limit: number): Promise<Run[]> {
    return this.sql(
      'SELECT * FROM runs WHERE user_id = ? ORDER BY scheduled_at DESC, id DESC LIMIT ?',
    )
      .all(userId, limit)
      .map(toRun);
  }

  async updateRun(
    runId: string,
    fromStatuses: readonly RunStatus[],
    patch: RunPatch,
  ): Promise<Run | undefined> {
    return this.tx(() => {
      const run = this.readRun(runId);
      if (!run || !fromStatuses.includes(run.status)) return undefined;
      return this.rewriteRun({ ...run, ...definedFields(patch), id: run.id });
    });
  }

  async appendRunError(runId: string, error: RunError): Promise<void> {
    this.tx(() => {
      const run = this.readRun(runId);
      if (run) this.rewriteRun(withError(run, error));
    });
  }

  async putBatches(runId: string, batches: readonly PlannedBatch[]): Promise<void> {
    this.tx(() => {
      const insert = this.sql(
        `INSERT INTO batches
           (run_id, batch_no, message_ids, next_page_token, listed_through, status, decisions, llm, plan)
         VALUES (?, ?, ?, ?, ?, 'pending', '[]', ?, ?) ON CONFLICT (run_id, batch_no) DO NOTHING`,
      );
      for (const batch of batches) {
        insert.run(
          runId,
          batch.batchNo,
          JSON.stringify(batch.messageIds),
          batch.nextPageToken,
          batch.listedThrough,
          JSON.stringify(ZERO_USAGE),
          batch.plan ? JSON.stringify(batch.plan) : null,
        );
      }
    });
  }

  async getBatch(runId: string, batchNo: number): Promise<Batch | undefined> {
    return this.readBatch(runId, batchNo);
  }

  async lastBatch(runId: string): Promise<Batch | undefined> {
    const row = this.sql(
      'SELECT * FROM batches WHERE run_id = ? ORDER BY batch_no DESC LIMIT 1',
    ).get(runId);
    return row && toBatch(row);
  }

  async listBatches(runId: string): Promise<Batch[]> {
    return this.sql('SELECT * FROM batches WHERE run_id = ? ORDER BY batch_no')
      .all(runId)
      .map(toBatch);
  }

  async saveDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
    llm: LlmUsage,
  ): Promise<Batch> {
    return this.tx(() => {
      const batch = this.readBatch(runId, batchNo);
      if (!batch) throw new AppError('not_found', 'No such batch', { batchNo });
      if (batch.status !== 'pending') return batch;
      this.sql(
        `UPDATE batches SET status = 'decided', decisions = ?, llm = ? WHERE run_id = ? AND batch_no = ?`,
      ).run(JSON.stringify(decisions), JSON.stringify(llm), runId, batchNo);
      return { ...batch, status: 'decided' as const, decisions, llm };
    });
  }

  async completeBatch(input: CompleteBatch): Promise<{ applied: boolean; run: Run }> {
    return this.tx(() => {
      const run = this.readRun(input.runId);
      const batch = this.readBatch(input.runId, input.batchNo);
      if (!run || !batch) {
        throw new AppError('not_found', 'No such batch', { batchNo: input.batchNo });
      }
      if (batch.status === 'done') return { applied: false, run };
      this.sql(
        `UPDATE batches SET status = 'done', decisions = ?, llm = ? WHERE run_id = ? AND batch_no = ?`,
      ).run(JSON.stringify(input.decisions), JSON.stringify(input.llm), input.runId, input.batchNo);
      return { applied: true, run: this.rewriteRun(withBatchCompleted(run, input)) };
    });
  }

  async reviseDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
  ): Promise<void> {
    this.sql(
      `UPDATE batches SET decisions = ? WHERE run_id = ? AND batch_no = ? AND status = 'done'`,
    ).run(JSON.stringify(decisions), runId, batchNo);
  }

  async finishApplied(runId: string, added: RunCounters, now: number): Promise<Run | undefined> {
    return this.tx(() => {
      const run = this.readRun(runId);
      if (!run) return undefined;
      const next = withApplied(run, added, now);
      return next === run ? undefined : this.rewriteRun(next);
    });
  }

  async finishPlanning(
    runId: string,
    batchCount: number,
    listed: number,
    now: number,
  ): Promise<Run | undefined> {
    return this.tx(() => {
      const run = this.readRun(runId);
      return run && this.rewriteRun(withPlanningFinished(run, { batchCount, listed, now }));
    });
  }

  async queueTrash(userId: string, entry: QueuedTrash): Promise<number> {
    return this.outbox.queue(userId, entry);
  }

  async queuedTrash(userId: string, limit: number): Promise<QueuedTrash[]> {
    return this.outbox.oldest(userId, limit);
  }

  async unqueueTrash(
    userId: string,
    entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
  ): Promise<void> {
    this.outbox.remove(userId, entries);
  }

  async getSenderDecisions(
    userId: string,
    senderKeys: readonly string[],
  ): Promise<Map<string, SenderDecision>> {
    return this.memory.getSenderDecisions(userId, senderKeys);
  }

  async putSenderDecisions(userId: string, decisions: readonly SenderDecision[]): Promise<void> {
    this.memory.putSenderDecisions(userId, decisions);
  }

  async listSenderDecisions(userId: string, limit: number): Promise<SenderDecision[]> {
    return this.memory.listSenderDecisions(userId, limit);
  }

  async addRepliedThreads(userId: string, threadIds: readonly string[]): Promise<void> {
    this.memory.addRepliedThreads(userId, threadIds);
  }

  async repliedThreads(userId: string, threadIds: readonly string[]): Promise<Set<string>> {
    return this.memory.repliedThreads(userId, threadIds);
  }

  async addMarkedThreads(
    userId: string,
    marks: ReadonlyMap<string, ConversationMark>,
  ): Promise<void> {
    this.memory.addMarkedThreads(userId, marks);
  }

  async markedThreads(
    userId: string,
    threadIds: readonly string[],
  ): Promise<Map<string, ConversationMark>> {
    return this.memory.markedThreads(userId, threadIds);
  }

  async advanceCursor(
    userId: string,
    expected: string | null,
    next: string,
    now: number,
  ): Promise<boolean> {
    return this.memory.advanceCursor(userId, expected, next, now);
  }

  private sql(text: string): StatementSync {
    return this.runner.sql(text);
  }

  private tx<T>(work: () => T): T {
    return this.runner.tx(work);
  }

  private readUser(userId: string): User | undefined {
    const row = this.sql('SELECT * FROM users WHERE id = ?').get(userId);
    return row && toUser(row);
  }

  private writeUser(user: User): void {
    this.sql(USER_UPSERT).run(userParams(user));
  }

  private readRun(runId: string): Run | undefined {
    const row = this.sql('SELECT * FROM runs WHERE id = ?').get(runId);
    return row && toRun(row);
  }

  /** Writes every field of an existing run and returns it as read back. */
  private rewriteRun(run: Run): Run {
    this.sql(RUN_UPDATE).run(runParams(run));
    const stored = this.readRun(run.id);
    if (!stored) throw new AppError('internal', 'A run vanished inside its transaction');
    return stored;
  }

  private readBatch(runId: string, batchNo: number): Batch | undefined {
    const row = this.sql('SELECT * FROM batches WHERE run_id = ? AND batch_no = ?').get(
      runId,
      batchNo,
    );
    return row && toBatch(row);
  }
}

/** A patch field given as undefined is left as it is: optional, not a request to clear it. */
function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
