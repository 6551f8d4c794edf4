import type { Batch, LlmUsage, MessageDecision, PlannedBatch } from '../../domain/model.js';
import { ZERO_USAGE } from '../../domain/model.js';
import { AppError } from '../../errors.js';
import { type FirestoreContext, isAlreadyExists } from './firestore-context.js';
import { batchData, toBatch } from './firestore-documents.js';
import { batches, batchRef } from './firestore-paths.js';

/**
 * `runs/{runId}/batches/{batchNo}`: a batch of up to 500 ids with their decisions stays far
 * below Firestore's 1 MiB document limit (about 60 KB with 500 decisions). Each is written
 * about three times in its life (planned, decided, done), so none is ever hot.
 */
export class FirestoreBatches {
  constructor(private readonly ctx: FirestoreContext) {}

  /** Creates the batches that do not exist yet; one that does is left as it is. */
  async put(runId: string, planned: readonly PlannedBatch[]): Promise<void> {
    await Promise.all(
      planned.map(async (batch) => {
        const fresh: Batch = {
          runId,
          ...batch,
          status: 'pending',
          decisions: [],
          llm: ZERO_USAGE,
          plan: batch.plan ?? null,
        };
        this.ctx.meter.write();
        try {
          await batchRef(this.ctx.db, runId, batch.batchNo).create(batchData(fresh));
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
        }
      }),
    );
  }

  async get(runId: string, batchNo: number): Promise<Batch | undefined> {
    const snapshot = await this.ctx.getDoc(batchRef(this.ctx.db, runId, batchNo));
    return snapshot.exists ? toBatch(snapshot.data()) : undefined;
  }

  async last(runId: string): Promise<Batch | undefined> {
    const query = batches(this.ctx.db, runId).orderBy('batchNo', 'desc').limit(1);
    const snapshot = await this.ctx.query(query);
    const doc = snapshot.docs[0];
    return doc && toBatch(doc.data());
  }

  async list(runId: string): Promise<Batch[]> {
    const snapshot = await this.ctx.query(batches(this.ctx.db, runId).orderBy('batchNo'));
    return snapshot.docs.map((doc) => toBatch(doc.data()));
  }

  /** Stores a pending batch's decisions (status decided); any other batch comes back as it is. */
  async saveDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
    llm: LlmUsage,
  ): Promise<Batch> {
    return this.ctx.transaction(async (tx) => {
      const snapshot = await this.ctx.getDoc(batchRef(this.ctx.db, runId, batchNo), tx);
      if (!snapshot.exists) throw new AppError('not_found', 'No such batch', { batchNo });
      const batch = toBatch(snapshot.data());
      if (batch.status !== 'pending') return batch;
      const decided: Batch = { ...batch, status: 'decided', decisions, llm };
      tx.update(snapshot.ref, { status: decided.status, decisions: [...decisions], llm });
      this.ctx.meter.write();
      return decided;
    });
  }

  /** Replaces a done batch's decisions; a batch in any other state is left as it is. */
  async reviseDecisions(
    runId: string,
    batchNo: number,
    decisions: readonly MessageDecision[],
  ): Promise<void> {
    await this.ctx.transaction(async (tx) => {
      const snapshot = await this.ctx.getDoc(batchRef(this.ctx.db, runId, batchNo), tx);
      if (!snapshot.exists || toBatch(snapshot.data()).status !== 'done') return;
      tx.update(snapshot.ref, { decisions: [...decisions] });
      this.ctx.meter.write();
    });
  }
}
