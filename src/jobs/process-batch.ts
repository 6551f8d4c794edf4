import { countDecisions } from '../domain/decide.js';
import { FINAL_STATUSES, type Run, type User } from '../domain/model.js';
import { enqueueNextBatch } from './batch-chain.js';
import { decideBatch } from './decide-batch.js';
import type { JobDeps } from './job-deps.js';
import { flushIfDue, queueBatchTrash } from './trash-outbox.js';

/** What a task read as it started: its run, and the run's owner. */
export interface TaskStart {
  readonly run: Run | undefined;
  readonly user: User | undefined;
}

/**
 * A batch task (one at a time per run, see batch-chain.ts): metadata under the user's quota,
 * protection rules, the classifier for what is left, decisions saved. A batch with nothing to
 * trash is counted at once; one with trash puts it in the user's trash outbox (see
 * trash-outbox.ts), which trashes and counts it with other batches' trash. Decisions are saved
 * before anything is queued or trashed, so a retry never asks the classifier twice, and the
 * next batch starts as soon as this one is decided.
 */
export async function processBatch(
  deps: JobDeps,
  runId: string,
  batchNo: number,
  /** The run and its owner as the task read them just before (so they are not read again). */
  start?: TaskStart,
): Promise<void> {
  const { store, clock } = deps;
  const run = start ? start.run : await store.getRun(runId);
  let batch = await store.getBatch(runId, batchNo);
  if (!run || !batch || FINAL_STATUSES.includes(run.status)) return;
  // A retry after the batch was counted only has to make sure the chain goes on and the
  // outbox is flushed when due (the flush that failed may be what made the task retry).
  if (batch.status === 'done') {
    await enqueueNextBatch(deps, runId, batchNo);
    return flushIfDue(deps, run);
  }
  const user = start?.user ?? (await store.getUser(run.userId));
  if (!user) return;
  // A review run trashes nothing here (its owner applies it later, see apply-review.ts) and
  // counts its trash decisions as processed; any other run's trash goes to the outbox.
  const trashing = run.mode !== 'review';

  let threads: ReadonlyMap<string, string> | undefined;
  if (batch.status === 'pending') {
    const mailbox = await deps.mailboxFor(user);
    const decided = await decideBatch(deps, run, user, mailbox, batch);
    threads = decided.threads;
    const { decisions, llm } = decided;
    // Decisions are saved on their own only when something waits for Trash; a batch with none
    // is saved and counted by the one write that completes it (below).
    if (trashing && decisions.some((d) => d.decision === 'trash')) {
      batch = await store.saveDecisions(runId, batchNo, decisions, llm);
    } else batch = { ...batch, decisions, llm };
  }
  const trash = trashing
    ? batch.decisions.filter((d) => d.decision === 'trash').map((d) => d.id)
    : [];
  const current = await store.getRun(runId);
  if (!current || FINAL_STATUSES.includes(current.status)) return;
  if (trash.length > 0) {
    const planned = batch.plan && 'threadIds' in batch.plan ? batch.plan.threadIds : [];
    const planThread = new Map(batch.messageIds.map((id, i) => [id, planned[i]]));
    // A retried batch has no metadata left: its plan's threads, or '' (unknown: the check
    // before Trash reads the message again before it looks at its conversation).
    const threadIds = trash.map(
      (id) =>
        threads?.get(id) ??
        batch.decisions.find((d) => d.id === id)?.threadId ??
        planThread.get(id) ??
        '',
    );
    await enqueueNextBatch(deps, runId, batchNo);
    const entry = { runId, batchNo, ids: trash, threadIds };
    await queueBatchTrash(deps, current, entry, batch.messageIds.length);
    return;
  }

  const { applied, run: after } = await store.completeBatch({
    runId,
    batchNo,
    decisions: batch.decisions,
    counters: countDecisions(batch.decisions, { trashing }),
    llm: batch.llm,
    now: clock.now(),
  });
  await enqueueNextBatch(deps, runId, batchNo);
  await flushIfDue(deps, current);
  if (applied && after.status === 'DONE') {
    deps.log.info('run done', {
      runId,
      trashed: after.counters.trashed,
      processed: after.counters.processed,
    });
  }
}
