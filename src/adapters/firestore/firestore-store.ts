import type { Firestore } from '@google-cloud/firestore';
import type {
  Batch,
  LlmUsage,
  MessageDecision,
  PlannedBatch,
  QueuedTrash,
  Run,
  RunCounters,
  RunError,
  RunState,
  RunStatus,
  SenderDecision,
  User,
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
import { FirestoreBatches } from './firestore-batches.js';
import { FirestoreContext } from './firestore-context.js';
import { FirestoreMeter } from './firestore-meter.js';
import { FirestoreRepliedThreads } from './firestore-replied-threads.js';
import { FirestoreRuns } from './firestore-runs.js';
import { FirestoreSenders } from './firestore-senders.js';
import { finishFlush, saveTrashDecisions } from './firestore-trash-decisions.js';
import { FirestoreTrashOutbox } from './firestore-trash-outbox.js';
import { FirestoreUsers } from './firestore-users.js';

export interface FirestoreStoreOptions {
  /**
   * Counter shards per run (default 2): a run absorbs about this many batch completions a
   * second, and every read of its counts reads them all. A run's batches are decided one at a
   * time (batch-chain.ts) and Gmail's quota caps one user's trash calls at 2 a second (6,000
   * units a minute, 50 a batchModify), so 2 keep each shard near one write a second at the
   * most, for half the reads of 4.
   */
  readonly counterShards?: number;
  /** Attempts per transaction (default 30): a burst of completions of one batch contends. */
  readonly maxAttempts?: number;
  readonly meter?: FirestoreMeter;
}

/**
 * The Store on Firestore, with SqliteStore's semantics: every read-then-write is one
 * transaction (Firestore retries it on contention), and no document takes more than about one
 * write a second under load (see FirestoreRuns for the counters). The caller owns `db`.
 */
export class FirestoreStore implements Store {
  readonly meter: FirestoreMeter;
  private readonly ctx: FirestoreContext;
  private readonly runs: FirestoreRuns;
  private readonly batches: FirestoreBatches;
  private readonly threads: FirestoreRepliedThreads;
  private readonly senders: FirestoreSenders;
  private readonly outbox: FirestoreTrashOutbox;
  private readonly users: FirestoreUsers;

  constructor(db: Firestore, options: FirestoreStoreOptions = {}) {
    this.meter = options.meter ?? new FirestoreMeter();
    this.ctx = new FirestoreContext(db, this.meter, options.maxAttempts ?? 30);
    this.runs = new FirestoreRuns(this.ctx, Math.max(1, options.counterShards ?? 2));
    this.batches = new FirestoreBatches(this.ctx);
    this.threads = new FirestoreRepliedThreads(this.ctx);
    this.senders = new FirestoreSenders(this.ctx);
    this.outbox = new FirestoreTrashOutbox(this.ctx);
    this.users = new FirestoreUsers(this.ctx);
  }

  getUser(userId: string): Promise<User | undefined> {
    return this.users.get(userId);
  }

  findUserByEmailHash(emailHash: string): Promise<User | undefined> {
    return this.users.findByEmailHash(emailHash);
  }

  putUser(user: User): Promise<void> {
    return this.users.put(user);
  }

  updateUser(userId: string, patch: UserPatch): Promise<User | undefined> {
    return this.users.update(userId, patch);
  }

  async deleteUser(userId: string): Promise<void> {
    await this.users.delete(userId);
    this.senders.forget(userId);
  }

  listUsersWithWatchBefore(before: number, limit: number): Promise<User[]> {
    return this.users.listWithWatchBefore(before, limit);
  }

  listUsersSyncedBefore(before: number, limit: number): Promise<User[]> {
    return this.users.listSyncedBefore(before, limit);
  }

  recordNotification(userId: string, at: number): Promise<void> {
    return this.users.recordNotification(userId, at);
  }

  advanceCursor(
    userId: string,
    expected: string | null,
    next: string,
    now: number,
  ): Promise<boolean> {
    return this.users.advanceCursor(userId, expected, next, now);
  }

  createRun(run: Run): Promise<void> {
    return this.runs.create(run);
  }

  getRun(runId: string): Promise<Run | undefined> {
    return this.runs.get(runId);
  }

  getRunState(runId: string): Promise<RunState | undefined> {
    return this.runs.getState(runId);
  }

  listRuns(userId: string, limit: number): Promise<Run[]> {
    return this.runs.list(userId, limit);
  }

  listUnfinishedRuns(limit: number): Promise<RunState[]> {
    return this.runs.listUnfinished(limit);
  }

  updateRun(
    runId: string,
    fromStatuses: readonly RunStatus[],
    patch: RunPatch,
  ): Promise<Run | undefined> {
    return this.runs.update(runId, fromStatuses, patch);
  }

  appendRunError(runId: string, error: RunError): Promise<void> {
    return this.runs.appendError(runId, error);
  }

  putBatches(runId: string, batches: readonly PlannedBatch[]): Promise<void> {
    return this.batches.put(runId, batches);
  }

  getBatch(runId: string, batchNo: number): Promise<Batch | undefined> {
    return this.batches.get(runId, batchNo);
  }

  lastBatch(runId: string): Promise<Batch | undefined> {
    return this.batches.last(runId);
  }

  listBatches(runId: string): Promise<Batch[]> {
    return this.batches.list(runId);
  }

  saveDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
    llm: LlmUsage,
  ): Promise<Batch> {
    return this.batches.saveDecisions(runId, batchNo, decisions, llm);
  }

  saveTrashDecisions(input: SaveTrashDecisions): Promise<SavedTrashDecisions> {
    return saveTrashDecisions(this.ctx, this.outbox, input);
  }

  reviseDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
  ): Promise<void> {
    return this.batches.reviseDecisions(runId, batchNo, decisions);
  }

  finishApplied(runId: string, added: RunCounters, now: number): Promise<Run | undefined> {
    return this.runs.finishApplied(runId, added, now);
  }

  completeBatch(input: CompleteBatch): Promise<{ applied: boolean; run: Run }> {
    return this.runs.completeBatch(input);
  }

  finishPlanning(
    runId: string,
    batchCount: number,
    listed: number,
    now: number,
  ): Promise<Run | undefined> {
    return this.runs.finishPlanning(runId, batchCount, listed, now);
  }

  queueTrash(userId: string, entry: QueuedTrash): Promise<number> {
    return this.outbox.queue(userId, entry);
  }

  queuedTrash(userId: string, limit: number): Promise<QueuedTrash[]> {
    return this.outbox.oldest(userId, limit);
  }

  unqueueTrash(
    userId: string,
    entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
  ): Promise<void> {
    return this.outbox.remove(userId, entries);
  }

  finishFlush(
    userId: string,
    entries: readonly Pick<QueuedTrash, 'runId' | 'batchNo'>[],
    completions: readonly CompleteBatch[],
  ): Promise<{ applied: boolean; run: Run }[]> {
    return finishFlush(this.runs, this.outbox, userId, entries, completions);
  }

  getSenderDecisions(
    userId: string,
    senderKeys: readonly string[],
  ): Promise<Map<string, SenderDecision>> {
    return this.senders.get(userId, senderKeys);
  }

  putSenderDecisions(userId: string, decisions: readonly SenderDecision[]): Promise<void> {
    return this.senders.put(userId, decisions);
  }

  listSenderDecisions(userId: string, limit: number): Promise<SenderDecision[]> {
    return this.senders.list(userId, limit);
  }

  addRepliedThreads(userId: string, threadIds: readonly string[]): Promise<void> {
    return this.threads.add(userId, threadIds);
  }

  repliedThreads(userId: string, threadIds: readonly string[]): Promise<Set<string>> {
    return this.threads.find(userId, threadIds);
  }

  addMarkedThreads(userId: string, marks: Iterable<ThreadMark>): Promise<void> {
    return this.threads.addMarks(userId, marks);
  }

  markedThreads(
    userId: string,
    threadIds: readonly string[],
  ): Promise<Map<string, ConversationMark>> {
    return this.threads.findMarks(userId, threadIds);
  }
  allMarkedThreads(userId: string): Promise<Map<string, ReadonlySet<ConversationMark>>> {
    return this.threads.allMarks(userId);
  }
}
