import {
  type Batch,
  type LlmUsage,
  type MessageDecision,
  type PlannedBatch,
  type Run,
  type RunCounters,
  type RunError,
  type RunState,
  type RunStatus,
  runState,
  ZERO_USAGE,
} from '../../domain/model.js';
import {
  withApplied,
  withBatchCompleted,
  withError,
  withPlanningFinished,
} from '../../domain/run-progress.js';
import type { CompleteBatch, RunPatch } from '../../domain/run-store.js';
import { AppError } from '../../errors.js';
import type { SqlRunner } from './sql-runner.js';
import { RUN_INSERT, RUN_UPDATE, runParams, toBatch, toRun } from './sqlite-rows.js';

/**
 * The `runs` and `batches` tables: runs, their batches, and the transactions that move a run
 * on (a batch decided, a batch completed, planning finished). Every method body is
 * synchronous, and each one that reads before it writes does so in one transaction.
 */
export class SqliteRuns {
  constructor(private readonly runner: SqlRunner) {}

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

  async listUnfinishedRuns(limit: number): Promise<RunState[]> {
    return this.sql(
      `SELECT * FROM runs WHERE status IN ('QUEUED', 'PROCESSING', 'DELETING') ORDER BY id LIMIT ?`,
    )
      .all(limit)
      .map((row) => runState(toRun(row)));
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
    return this.tx(() => this.decide(runId, batchNo, decisions, llm).batch);
  }

  /**
   * Inside the caller's transaction: a pending batch's decisions saved (status decided); any
   * other batch as it is. `saved` says whether this call saved them.
   */
  decide(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
    llm: LlmUsage,
  ): { batch: Batch; saved: boolean } {
    const batch = this.readBatch(runId, batchNo);
    if (!batch) throw new AppError('not_found', 'No such batch', { batchNo });
    if (batch.status !== 'pending') return { batch, saved: false };
    this.sql(
      `UPDATE batches SET status = 'decided', decisions = ?, llm = ? WHERE run_id = ? AND batch_no = ?`,
    ).run(JSON.stringify(decisions), JSON.stringify(llm), runId, batchNo);
    return { batch: { ...batch, status: 'decided' as const, decisions, llm }, saved: true };
  }

  async completeBatch(input: CompleteBatch): Promise<{ applied: boolean; run: Run }> {
    return this.tx(() => this.complete(input));
  }

  /** completeBatch inside the caller's transaction. */
  complete(input: CompleteBatch): { applied: boolean; run: Run } {
    const run = this.readRun(input.runId);
    const batch = this.readBatch(input.runId, input.batchNo);
    if (!run || !batch) {
      throw new AppError('not_found', 'No such batch', { batchNo: input.batchNo });
    }
    if (batch.status === 'done' || (input.onlyIfPending && batch.status !== 'pending')) {
      return { applied: false, run };
    }
    this.sql(
      `UPDATE batches SET status = 'done', decisions = ?, llm = ? WHERE run_id = ? AND batch_no = ?`,
    ).run(JSON.stringify(input.decisions), JSON.stringify(input.llm), input.runId, input.batchNo);
    return { applied: true, run: this.rewriteRun(withBatchCompleted(run, input)) };
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
  /** The run as stored (inside the caller's transaction, when there is one). */
  readRun(runId: string): Run | undefined {
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
  /** The batch as stored (inside the caller's transaction, when there is one). */
  readBatch(runId: string, batchNo: number): Batch | undefined {
    const row = this.sql('SELECT * FROM batches WHERE run_id = ? AND batch_no = ?').get(
      runId,
      batchNo,
    );
    return row && toBatch(row);
  }
  private sql(text: string) {
    return this.runner.sql(text);
  }

  private tx<T>(work: () => T): T {
    return this.runner.tx(work);
  }
}

/** A patch field given as undefined is left as it is: optional, not a request to clear it. */
export function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
