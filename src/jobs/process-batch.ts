import { countDecisions } from '../domain/decide.js';
import { FINAL_STATUSES } from '../domain/model.js';
import { enqueueNextBatch } from './batch-chain.js';
import { decideBatch } from './decide-batch.js';
import type { JobDeps } from './job-deps.js';
import { guardBeforeTrash } from './trash-guard.js';

/**
 * A batch task (one at a time per run, see batch-chain.ts): metadata under the user's quota, protection rules, the classifier for what is
 * left, decisions saved, then Trash, then the counters in the transaction that marks the batch
 * done. Decisions are saved before anything is trashed, so a retry repeats the (idempotent)
 * trash call and never asks the classifier twice.
 */
export async function processBatch(deps: JobDeps, runId: string, batchNo: number): Promise<void> {
  const { store, clock } = deps;
  const run = await store.getRun(runId);
  let batch = await store.getBatch(runId, batchNo);
  if (!run || !batch || FINAL_STATUSES.includes(run.status)) return;
  // A retry after the batch was counted only has to make sure the chain goes on.
  if (batch.status === 'done') return enqueueNextBatch(deps, runId, batchNo);
  const user = await store.getUser(run.userId);
  if (!user) return;
  const mailbox = await deps.mailboxFor(user);

  if (batch.status === 'pending') {
    const { decisions, llm } = await decideBatch(deps, run, user, mailbox, batch);
    batch = await store.saveDecisions(runId, batchNo, decisions, llm);
  }
  // The one place a batch's decisions go to Gmail: a review run trashes nothing here (its
  // owner applies it later, see apply-review.ts), and counts its trash decisions as processed.
  const trashing = run.mode !== 'review';
  // After the decisions are saved: a Gmail error here retries the check, never the classifier.
  const decisions = trashing
    ? await guardBeforeTrash(deps, run, user, mailbox, batch.decisions)
    : batch.decisions;
  const trashIds = trashing ? decisions.filter((d) => d.decision === 'trash').map((d) => d.id) : [];
  const current = await store.getRun(runId);
  if (!current || FINAL_STATUSES.includes(current.status)) return;
  if (trashIds.length > 0) await mailbox.trash(trashIds);

  const { applied, run: after } = await store.completeBatch({
    runId,
    batchNo,
    decisions,
    counters: countDecisions(decisions, { trashing }),
    llm: batch.llm,
    now: clock.now(),
  });
  await enqueueNextBatch(deps, runId, batchNo);
  if (applied && after.status === 'DONE') {
    deps.log.info('run done', {
      runId,
      trashed: after.counters.trashed,
      processed: after.counters.processed,
    });
  }
}
