import type { DatabaseSync } from 'node:sqlite';
import {
  type Batch,
  FINAL_STATUSES,
  type LlmUsage,
  type MessageDecision,
  type PlannedBatch,
  type QueuedTrash,
  type Run,
  type RunCounters,
  type RunError,
  type RunState,
  type RunStatus,
  runState,
  type SenderDecision,
  type User,
} from '../../domain/model.js';
import type { Store } from '../../domain/ports.js';
import type { ConversationMark } from '../../domain/protection.js';
import type {
  CompleteBatch,
  RunPatch,
  SavedTrashDecisions,
  SaveTrashDecisions,
} from '../../domain/run-store.js';
import type { ThreadMark } from '../../domain/user-memory-store.js';
import type { UserPatch } from '../../domain/user-store.js';
import { AppError } from '../../errors.js';
import { SqlRunner } from './sql-runner.js';
import { applyMigrations, STORE_MIGRATIONS } from './sqlite-migrations.js';
import { SqliteRuns } from './sqlite-runs.js';
import { SqliteTrashOutbox } from './sqlite-trash-outbox.js';
import { SqliteUserMemory } from './sqlite-user-memory.js';
import { SqliteUsers } from './sqlite-users.js';

/**
 * The Store on `node:sqlite`. Every method body is synchronous (no await), and each one that
 * reads before it writes does so in one BEGIN IMMEDIATE transaction, so concurrent calls on
 * the same handle or from other connections never interleave.
 */
export class SqliteStore implements Store {
  private readonly runner: SqlRunner;
  private readonly memory: SqliteUserMemory;
  private readonly outbox: SqliteTrashOutbox;
  private readonly runs: SqliteRuns;
  private readonly users: SqliteUsers;

  /** Brings the store's tables up to date. The caller owns `db` and closes it. */
  constructor(db: DatabaseSync) {
    applyMigrations(db, 'store', STORE_MIGRATIONS);
    this.runner = new SqlRunner(db);
    this.memory = new SqliteUserMemory(this.runner);
    this.outbox = new SqliteTrashOutbox(this.runner);
    this.runs = new SqliteRuns(this.runner);
    this.users = new SqliteUsers(this.runner);
  }

  async getUser(userId: string): Promise<User | undefined> {
    return this.users.get(userId);
  }

  async findUserByEmailHash(emailHash: string): Promise<User | undefined> {
    return this.users.findByEmailHash(emailHash);
  }

  async putUser(user: User): Promise<void> {
    this.users.put(user);
  }

  async updateUser(userId: string, patch: UserPatch): Promise<User | undefined> {
    return this.users.update(userId, patch);
  }

  async deleteUser(userId: string): Promise<void> {
    this.users.delete(userId, () => this.outbox.removeUser(userId));
  }

  async listUsersWithWatchBefore(before: number, limit: number): Promise<User[]> {
    return this.users.withWatchBefore(before, limit);
  }

  async listUsersSyncedBefore(before: number, limit: number): Promise<User[]> {
    return this.users.syncedBefore(before, limit);
  }

  async recordNotification(userId: string, at: number): Promise<void> {
    this.users.recordNotification(userId, at);
  }

  async createRun(run: Run): Promise<void> {
    return this.runs.createRun(run);
  }

  async getRun(runId: string): Promise<Run | undefined> {
    return this.runs.getRun(runId);
  }

  async getRunState(runId: string): Promise<RunState | undefined> {
    const run = await this.runs.getRun(runId);
    return run && runState(run);
  }

  async listRuns(userId: string, limit: number): Promise<Run[]> {
    return this.runs.listRuns(userId, limit);
  }

  async listUnfinishedRuns(limit: number): Promise<RunState[]> {
    return this.runs.listUnfinishedRuns(limit);
  }

  async updateRun(
    runId: string,
    fromStatuses: readonly RunStatus[],
    patch: RunPatch,
  ): Promise<Run | undefined> {
    return this.runs.updateRun(runId, fromStatuses, patch);
  }

  async appendRunError(runId: string, error: RunError): Promise<void> {
    return this.runs.appendRunError(runId, error);
  }

  async putBatches(runId: string, batches: readonly PlannedBatch[]): Promise<void> {
    return this.runs.putBatches(runId, batches);
  }

  async getBatch(runId: string, batchNo: number): Promise<Batch | undefined> {
    return this.runs.getBatch(runId, batchNo);
  }

  async lastBatch(runId: string): Promise<Batch | undefined> {
    return this.runs.lastBatch(runId);
  }

  async listBatches(runId: string): Promise<Batch[]> {
    return this.runs.listBatches(runId);
  }

  async saveDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
    llm: LlmUsage,
  ): Promise<Batch> {
    return this.runs.saveDecisions(runId, batchNo, decisions, llm);
  }

  async saveTrashDecisions(input: SaveTrashDecisions): Promise<SavedTrashDecisions> {
    return this.runner.tx(() => {
      const run = this.runs.readRun(input.runId);
      if (run && !FINAL_STATUSES.includes(run.status)) {
        const { batchNo, decisions, llm } = input;
        const { batch, saved } = this.runs.decide(input.runId, batchNo, decisions, llm);
        if (!saved) return { batch, run, queued: undefined };
        const entry = { runId: input.runId, batchNo, ...input.trash };
        return { batch, run, queued: this.outbox.add(run.userId, entry) };
      }
      const batch = this.runs.readBatch(input.runId, input.batchNo);
      if (!batch) throw new AppError('not_found', 'No such batch', { batchNo: input.batchNo });
      return { batch, run, queued: undefined };
    });
  }

  async completeBatch(input: CompleteBatch): Promise<{ applied: boolean; run: Run }> {
    return this.runs.completeBatch(input);
  }

  async reviseDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
  ): Promise<void> {
    return this.runs.reviseDecisions(runId, batchNo, decisions);
  }

  async finishApplied(runId: string, added: RunCounters, now: number): Promise<Run | undefined> {
    return this.runs.finishApplied(runId, added, now);
  }

  async finishPlanning(
    runId: string,
    batchCount: number,
    listed: number,
    now: number,
  ): Promise<Run | undefined> {
    return this.runs.finishPlanning(runId, batchCount, listed, now);
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

  async finishFlush(
    userId: string,
    entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
    completions: readonly CompleteBatch[],
  ): Promise<{ applied: boolean; run: Run }[]> {
    // One transaction: every batch counted and every entry out, or nothing.
    return this.runner.tx(() => {
      const results = completions.map((input) => this.runs.complete(input));
      this.outbox.take(userId, [...completions, ...entries]);
      return results;
    });
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

  async addMarkedThreads(userId: string, marks: Iterable<ThreadMark>): Promise<void> {
    this.memory.addMarkedThreads(userId, marks);
  }

  async markedThreads(
    userId: string,
    threadIds: readonly string[],
  ): Promise<Map<string, ConversationMark>> {
    return this.memory.markedThreads(userId, threadIds);
  }
  async allMarkedThreads(userId: string): Promise<Map<string, ReadonlySet<ConversationMark>>> {
    return this.memory.allMarkedThreads(userId);
  }

  async advanceCursor(
    userId: string,
    expected: string | null,
    next: string,
    now: number,
  ): Promise<boolean> {
    return this.memory.advanceCursor(userId, expected, next, now);
  }
}
