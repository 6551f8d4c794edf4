import { isDeepStrictEqual } from 'node:util';
import {
  type DocumentReference,
  FieldPath,
  type QueryDocumentSnapshot,
  type Transaction,
} from '@google-cloud/firestore';
import {
  type Run,
  type RunCounters,
  type RunError,
  type RunState,
  type RunStatus,
  runState,
} from '../../domain/model.js';
import {
  finishedIfComplete,
  MAX_RUN_ERRORS,
  withApplied,
  withPlanningFinished,
} from '../../domain/run-progress.js';
import type { CompleteBatch, RunPatch } from '../../domain/run-store.js';
import { AppError } from '../../errors.js';
import { definedFields, type FirestoreContext, isAlreadyExists } from './firestore-context.js';
import { type RunDoc, runData, toBatch, toRun, toRunDoc, toTally } from './firestore-documents.js';
import { batchRef, runRef, runs, shards } from './firestore-paths.js';
import {
  addTally,
  rebase,
  shardIncrements,
  shardOf,
  sumTallies,
  type Tally,
  tallyOf,
} from './run-tally.js';

type Shards = ReadonlyMap<string, Tally>;

/**
 * Runs, and the two transactions that move them on: a batch completing and planning
 * finishing. Completing a batch never writes the run document. It marks the batch done and
 * adds to one counter shard, reading the run document (a shared lock, which other
 * completions share) only to learn the status as it stood when the batch was counted. The
 * run document is written only when the status changes: planning finished, the run cancelled
 * or failed, and DONE, which a second transaction sets: it reads the run and every shard,
 * and sets DONE only if the run is not final yet and every planned batch is counted. Exactly
 * one caller wins that compare-and-set, and only it reports DONE, since every other
 * completion was counted, and so read the status, before DONE was written.
 */
export class FirestoreRuns {
  constructor(
    private readonly ctx: FirestoreContext,
    private readonly shardCount: number,
  ) {}

  async create(run: Run): Promise<void> {
    try {
      await runRef(this.ctx.db, run.id).create(runData(run));
      this.ctx.meter.write();
    } catch (error) {
      if (isAlreadyExists(error))
        throw new AppError('conflict', 'A run with this id already exists');
      throw error;
    }
  }

  async get(runId: string): Promise<Run | undefined> {
    const snapshot = await this.ctx.getDoc(runRef(this.ctx.db, runId));
    if (!snapshot.exists) return undefined;
    // The shards are read after the document: counts are never older than the status.
    return this.withTally(toRunDoc(snapshot.data()));
  }

  /** The run document alone: its tally (the base plus the shards) is not read. */
  async getState(runId: string): Promise<RunState | undefined> {
    const snapshot = await this.ctx.getDoc(runRef(this.ctx.db, runId));
    if (!snapshot.exists) return undefined;
    const doc = toRunDoc(snapshot.data());
    return runState(toRun(doc, doc.base));
  }

  async list(userId: string, limit: number): Promise<Run[]> {
    const query = runs(this.ctx.db)
      .where('userId', '==', userId)
      .orderBy('scheduledAt', 'desc')
      .orderBy(FieldPath.documentId(), 'desc')
      .limit(limit);
    const snapshot = await this.ctx.query(query);
    return Promise.all(snapshot.docs.map((doc) => this.withTally(toRunDoc(doc.data()))));
  }

  /** Served by the automatic single-field index on status (no order: no composite index). */
  async listUnfinished(limit: number): Promise<RunState[]> {
    const query = runs(this.ctx.db)
      .where('status', 'in', ['QUEUED', 'PROCESSING', 'DELETING'])
      .limit(limit);
    const snapshot = await this.ctx.query(query);
    return snapshot.docs.map((doc) => {
      const run = toRunDoc(doc.data());
      return runState(toRun(run, run.base));
    });
  }

  async update(
    runId: string,
    fromStatuses: readonly RunStatus[],
    patch: RunPatch,
  ): Promise<Run | undefined> {
    return this.ctx.transaction(async (tx) => {
      const ref = runRef(this.ctx.db, runId);
      const snapshot = await this.ctx.getDoc(ref, tx);
      if (!snapshot.exists) return undefined;
      const doc = toRunDoc(snapshot.data());
      if (!fromStatuses.includes(doc.status)) return undefined;
      const tally = sumTallies(doc.base, await this.readShards(doc, tx));
      const changes = definedFields(patch);
      if (Object.keys(changes).length > 0) {
        tx.update(ref, changes);
        this.ctx.meter.write();
      }
      return toRun({ ...doc, ...changes }, tally);
    });
  }

  async appendError(runId: string, error: RunError): Promise<void> {
    await this.ctx.transaction(async (tx) => {
      const ref = runRef(this.ctx.db, runId);
      const snapshot = await this.ctx.getDoc(ref, tx);
      if (!snapshot.exists) return;
      const { errors } = toRunDoc(snapshot.data());
      tx.update(ref, { errors: [...errors, error].slice(-MAX_RUN_ERRORS) });
      this.ctx.meter.write();
    });
  }

  /**
   * `deleting`: a document deleted in the same transaction whether the batch was done already
   * or not (its trash outbox entry, when a flush completes it).
   */
  async completeBatch(
    input: CompleteBatch,
    deleting?: DocumentReference,
  ): Promise<{ applied: boolean; run: Run }> {
    const { db, meter } = this.ctx;
    const counted = await this.ctx.transaction(async (tx) => {
      const [runSnapshot, batchSnapshot] = await this.ctx.getDocs(
        [runRef(db, input.runId), batchRef(db, input.runId, input.batchNo)],
        tx,
      );
      if (!runSnapshot?.exists || !batchSnapshot?.exists) {
        throw new AppError('not_found', 'No such batch', { batchNo: input.batchNo });
      }
      if (deleting) {
        tx.delete(deleting);
        meter.delete();
      }
      const doc = toRunDoc(runSnapshot.data());
      const { status } = toBatch(batchSnapshot.data());
      if (status === 'done' || (input.onlyIfPending && status !== 'pending')) {
        return { applied: false, doc };
      }
      tx.update(batchSnapshot.ref, {
        status: 'done',
        decisions: input.decisions,
        llm: input.llm,
      });
      meter.write(2);
      if (doc.folded) {
        // Shards of a folded run are no longer read: a late batch adds to the base.
        const base = addTally(doc.base, { batchesDone: 1, ...input });
        tx.update(runSnapshot.ref, { base });
        return { applied: true, doc: { ...doc, base } };
      }
      const shard = shards(db, input.runId).doc(shardOf(input.batchNo, this.shardCount));
      tx.set(shard, shardIncrements(input), { merge: true });
      return { applied: true, doc };
    });
    // The status as it stood when this batch was counted, with the counts as they are now;
    // read again if planning had not ended then: the plan task's transaction may have read
    // the shards before this count and committed since (a shard not yet created is not
    // locked), and it reads the run again after its commit (plan-run.ts settlePlannedRun).
    // Each side writes first and reads after, so whichever comes second ends the run.
    const run =
      counted.doc.batchCount === null
        ? ((await this.get(input.runId)) ?? (await this.withTally(counted.doc)))
        : await this.withTally(counted.doc);
    if (!counted.applied || finishedIfComplete(run, input.now) === run) {
      return { applied: counted.applied, run };
    }
    return { applied: true, run: (await this.finishIfComplete(input.runId, input.now)) ?? run };
  }

  async finishPlanning(
    runId: string,
    batchCount: number,
    listed: number,
    now: number,
  ): Promise<Run | undefined> {
    return this.ctx.transaction(async (tx) => {
      const snapshot = await this.ctx.getDoc(runRef(this.ctx.db, runId), tx);
      if (!snapshot.exists) return undefined;
      const doc = toRunDoc(snapshot.data());
      const shardTallies = await this.readShards(doc, tx);
      const run = toRun(doc, sumTallies(doc.base, shardTallies));
      const next = withPlanningFinished(run, { batchCount, listed, now });
      return this.rewrite(tx, doc, shardTallies, next);
    });
  }

  async finishApplied(runId: string, added: RunCounters, now: number): Promise<Run | undefined> {
    return this.ctx.transaction(async (tx) => {
      const snapshot = await this.ctx.getDoc(runRef(this.ctx.db, runId), tx);
      if (!snapshot.exists) return undefined;
      const doc = toRunDoc(snapshot.data());
      const shardTallies = await this.readShards(doc, tx);
      const run = toRun(doc, sumTallies(doc.base, shardTallies));
      const next = withApplied(run, added, now);
      return next === run ? undefined : this.rewrite(tx, doc, shardTallies, next);
    });
  }

  /** The compare-and-set to DONE; undefined when the run is final already or not complete. */
  private finishIfComplete(runId: string, now: number): Promise<Run | undefined> {
    return this.ctx.transaction(async (tx) => {
      const snapshot = await this.ctx.getDoc(runRef(this.ctx.db, runId), tx);
      if (!snapshot.exists) return undefined;
      const doc = toRunDoc(snapshot.data());
      const shardTallies = await this.readShards(doc, tx);
      const run = toRun(doc, sumTallies(doc.base, shardTallies));
      const next = finishedIfComplete(run, now);
      return next === run ? undefined : this.rewrite(tx, doc, shardTallies, next);
    });
  }

  /**
   * Writes `next` over the run document (read in `tx` with its shards) and returns it as a
   * later read will see it. A run that becomes DONE folds its shards into the base, so reading
   * a finished run takes one document. The shards stay: a reader that saw the document just
   * before the fold still sums them to the same counts.
   */
  private rewrite(tx: Transaction, doc: RunDoc, shardTallies: Shards, next: Run): Run {
    const current = sumTallies(doc.base, shardTallies);
    const fold = next.status === 'DONE' && !doc.folded;
    const base = fold ? tallyOf(next) : rebase(doc.base, current, tallyOf(next));
    const nextDoc: RunDoc = { ...runData(next), base, folded: doc.folded || fold };
    if (!isDeepStrictEqual(nextDoc, doc)) {
      tx.set(runRef(this.ctx.db, doc.id), nextDoc);
      this.ctx.meter.write();
    }
    return toRun(nextDoc, nextDoc.folded ? base : sumTallies(base, shardTallies));
  }

  /** The run a document read holds, with its counter shards read now. */
  async withTally(doc: RunDoc): Promise<Run> {
    return toRun(doc, sumTallies(doc.base, await this.readShards(doc)));
  }

  private async readShards(doc: RunDoc, tx?: Transaction): Promise<Shards> {
    if (doc.folded) return new Map();
    const snapshot = await this.ctx.query(shards(this.ctx.db, doc.id), tx);
    return new Map(
      snapshot.docs.map((shard: QueryDocumentSnapshot) => [shard.id, toTally(shard.data())]),
    );
  }
}
