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
} from './model.js';

export type RunPatch = Partial<
  Pick<Run, 'status' | 'startedAt' | 'endedAt' | 'startHistoryId' | 'total' | 'appliedAt'>
>;

export interface CompleteBatch {
  readonly runId: string;
  readonly batchNo: number;
  readonly decisions: readonly MessageDecision[];
  /** What this batch adds to the run's counters. */
  readonly counters: RunCounters;
  readonly llm: LlmUsage;
  readonly now: number;
  /**
   * Only a batch still pending is completed (decisions nobody saved yet): one another delivery
   * of the task decided meanwhile keeps its decisions, and nothing changes (`applied: false`).
   */
  readonly onlyIfPending?: boolean;
}

/** A decided batch with trash: its decisions, and the trash its owner's outbox is to take. */
export interface SaveTrashDecisions {
  readonly runId: string;
  readonly batchNo: number;
  readonly decisions: readonly MessageDecision[];
  readonly llm: LlmUsage;
  /** The ids these decisions send to Trash, each with its thread, and when they were queued. */
  readonly trash: Omit<QueuedTrash, 'runId' | 'batchNo'>;
}

export interface SavedTrashDecisions {
  /** The batch as stored: the decisions of whoever saved them first. */
  readonly batch: Batch;
  /** The run as it stood in the transaction, without its tally; undefined when there is none. */
  readonly run: RunState | undefined;
  /**
   * How many ids the run owner's outbox holds with this batch's trash in it; undefined when
   * nothing was queued: the batch was not pending any more, or the run is final.
   */
  readonly queued: number | undefined;
}

/** The Store's runs and their batches, and the transactions that move a run on. */
export interface RunStore {
  createRun(run: Run): Promise<void>;
  getRun(runId: string): Promise<Run | undefined>;
  /**
   * The run as getRun gives it, without its tally (batches done, counters, LLM usage): for a
   * task that only needs its status, owner and plan. One document in Firestore, where getRun
   * also reads the counter shards.
   */
  getRunState(runId: string): Promise<RunState | undefined>;
  /** The user's runs, newest first. */
  listRuns(userId: string, limit: number): Promise<Run[]>;
  /**
   * Runs of every user that are not final yet (QUEUED, PROCESSING, DELETING), at most `limit`,
   * in no particular order: what the daily check looks at for work a lost task holds up.
   */
  listUnfinishedRuns(limit: number): Promise<RunState[]>;
  /**
   * Changes a run if its status is one of `fromStatuses` (compare-and-set); returns the run
   * after the change, or undefined when the status did not match (nothing changed).
   */
  updateRun(
    runId: string,
    fromStatuses: readonly RunStatus[],
    patch: RunPatch,
  ): Promise<Run | undefined>;
  /** Appends to the run's error log (bounded: the oldest entries go past 50). */
  appendRunError(runId: string, error: RunError): Promise<void>;

  /** Creates batches that do not exist yet; existing ones are left as they are (idempotent). */
  putBatches(runId: string, batches: readonly PlannedBatch[]): Promise<void>;
  getBatch(runId: string, batchNo: number): Promise<Batch | undefined>;
  /** The batch with the highest number, where a retried plan task resumes. */
  lastBatch(runId: string): Promise<Batch | undefined>;
  listBatches(runId: string): Promise<Batch[]>;
  /**
   * Saves a pending batch's decisions and what deciding cost (status decided), before
   * anything is trashed. A batch already decided or done is returned unchanged.
   */
  saveDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
    llm: LlmUsage,
  ): Promise<Batch>;
  /**
   * In one transaction: if the batch is still pending and its run is not final, saves its
   * decisions (status decided) and puts `trash` in the run owner's trash outbox, so trash is
   * never queued without the decisions behind it, nor decisions saved without their trash. A
   * batch no longer pending, or a final run, changes nothing (`queued` undefined).
   */
  saveTrashDecisions(input: SaveTrashDecisions): Promise<SavedTrashDecisions>;
  /**
   * In one transaction: if the batch is still pending, store its decisions, mark it done, add
   * its counters and LLM usage to the run, count it, and move the run to DONE when it was the
   * last batch of a fully planned run. A batch already done changes nothing (`applied: false`).
   */
  completeBatch(input: CompleteBatch): Promise<{ applied: boolean; run: Run }>;
  /**
   * In one transaction: records that planning finished with `batchCount` batches and `listed`
   * ids (which becomes the run's total), sets status DELETING, or DONE when every batch is
   * already done (or there are none).
   */
  finishPlanning(
    runId: string,
    batchCount: number,
    listed: number,
    now: number,
  ): Promise<Run | undefined>;

  /**
   * Replaces the decisions of a done batch (a review's kept senders: their trash becomes
   * keep); counters are not touched. A batch that is not done is left as it is.
   */
  reviseDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
  ): Promise<void>;
  /**
   * In one transaction: an applied review run (DELETING, `appliedAt` set, every batch done)
   * adds `added` to its counters and becomes DONE. Any other run is unchanged (undefined), so
   * a repeated call counts nothing twice.
   */
  finishApplied(runId: string, added: RunCounters, now: number): Promise<Run | undefined>;
}
