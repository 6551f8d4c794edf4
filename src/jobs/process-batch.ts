import { countDecisions } from '../domain/decide.js';
import {
  type Batch,
  FINAL_STATUSES,
  type MessageDecision,
  type RunState,
  type User,
} from '../domain/model.js';
import { enqueueNextBatch } from './batch-chain.js';
import { decideBatch } from './decide-batch.js';
import type { JobDeps } from './job-deps.js';
import { afterQueued, flushIfDue, queueBatchTrash } from './trash-outbox.js';

/** What a task read as it started: its run, and the run's owner. */
export interface TaskStart {
  readonly run: RunState | undefined;
  readonly user: User | undefined;
}

/**
 * A batch task (one at a time per run, see batch-chain.ts): metadata under the user's quota,
 * protection rules, the classifier for what is left, decisions saved. A batch with nothing to
 * trash is counted at once; one with trash puts it in the user's trash outbox (see
 * trash-outbox.ts), which trashes and counts it with other batches' trash. Decisions are saved
 * with the trash they queue, in one write, before anything is trashed, so a retry never asks
 * the classifier twice, and the next batch starts as soon as this one is decided.
 */
export async function processBatch(
  deps: JobDeps,
  runId: string,
  batchNo: number,
  /** The run and its owner as the task read them just before (so they are not read again). */
  start?: TaskStart,
): Promise<void> {
  const { store, clock } = deps;
  const run = start ? start.run : await store.getRunState(runId);
  let batch = await store.getBatch(runId, batchNo);
  if (!run || !batch || FINAL_STATUSES.includes(run.status)) return;
  // A retry after the batch was counted only has to make sure the chain goes on and the
  // outbox is flushed when due (the flush that failed may be what made the task retry).
  if (batch.status === 'done') {
    return flushThenChain(deps, runId, batchNo, () => flushIfDue(deps, run));
  }
  const user = start?.user ?? (await store.getUser(run.userId));
  if (!user) return;
  // A review run trashes nothing here (its owner applies it later, see apply-review.ts) and
  // counts its trash decisions as processed; any other run's trash goes to the outbox.
  const trashing = run.mode !== 'review';

  let threads: ReadonlyMap<string, string> | undefined;
  /** Decided here with nothing to trash, and not saved: completing the batch saves them. */
  let unsaved = false;
  if (batch.status === 'pending') {
    const mailbox = await deps.mailboxFor(user);
    const decided = await decideBatch(deps, run, user, mailbox, batch);
    threads = decided.threads;
    const { decisions, llm } = decided;
    const trash = trashing ? trashIds(decisions) : [];
    if (trash.length > 0) {
      // Decisions and their trash are saved in one write; a batch with no trash is saved and
      // counted by the one write that completes it (below).
      const queuedAt = clock.now();
      const entry = { ids: trash, threadIds: threadsOf(trash, batch, decisions, threads) };
      const saved = await store.saveTrashDecisions({
        runId,
        batchNo,
        decisions,
        llm,
        trash: { ...entry, queuedAt },
      });
      if (!saved.run || FINAL_STATUSES.includes(saved.run.status)) return;
      if (saved.queued !== undefined) {
        const { run: queuedBy, queued } = saved;
        const size = batch.messageIds.length;
        return flushThenChain(deps, runId, batchNo, () =>
          afterQueued(deps, queuedBy, queued, size, queuedAt),
        );
      }
      // Another delivery of this task decided it first: its decisions stand (below).
      batch = saved.batch;
    } else {
      batch = { ...batch, decisions, llm };
      unsaved = true;
    }
  }
  const trash = trashing ? trashIds(batch.decisions) : [];
  const current = await store.getRunState(runId);
  if (!current || FINAL_STATUSES.includes(current.status)) return;
  if (trash.length > 0) {
    const threadIds = threadsOf(trash, batch, batch.decisions, threads);
    const entry = { runId, batchNo, ids: trash, threadIds };
    const size = batch.messageIds.length;
    return flushThenChain(deps, runId, batchNo, () => queueBatchTrash(deps, current, entry, size));
  }

  const { applied, run: after } = await store.completeBatch({
    runId,
    batchNo,
    decisions: batch.decisions,
    counters: countDecisions(batch.decisions, { trashing }),
    llm: batch.llm,
    now: clock.now(),
    onlyIfPending: unsaved,
  });
  // Another delivery of this task saved its decisions first: they stand, and are taken up as
  // a retry would (its trash queued, or the batch found counted).
  if (!applied && unsaved) return processBatch(deps, runId, batchNo);
  await flushThenChain(deps, runId, batchNo, () => flushIfDue(deps, current));
  if (applied && after.status === 'DONE') {
    deps.log.info('run done', {
      runId,
      trashed: after.counters.trashed,
      processed: after.counters.processed,
    });
  }
}

/**
 * Whatever the decided batch flushes goes before the next batch is queued: one run's flushes
 * then come one after another, never two at once over the same outbox entries (each would
 * check, trash and count them again). The next batch is queued whether or not the flush
 * failed: a failed flush is retried with this task, and the chain does not wait for it.
 */
async function flushThenChain(
  deps: JobDeps,
  runId: string,
  batchNo: number,
  flush: () => Promise<void>,
): Promise<void> {
  try {
    await flush();
  } finally {
    await enqueueNextBatch(deps, runId, batchNo);
  }
}

const trashIds = (decisions: readonly MessageDecision[]) =>
  decisions.filter((d) => d.decision === 'trash').map((d) => d.id);

/**
 * The conversation of each trash id, for the check before Trash: from the metadata just read,
 * else from the saved decision or the plan (a retried batch has no metadata left), else ''
 * (unknown: the check reads the message again before it looks at its conversation).
 */
function threadsOf(
  ids: readonly string[],
  batch: Batch,
  decisions: readonly MessageDecision[],
  threads: ReadonlyMap<string, string> | undefined,
): string[] {
  const planned = batch.plan && 'threadIds' in batch.plan ? batch.plan.threadIds : [];
  const planThread = new Map(batch.messageIds.map((id, i) => [id, planned[i]]));
  const decided = new Map(decisions.map((d) => [d.id, d.threadId]));
  return ids.map((id) => threads?.get(id) ?? decided.get(id) ?? planThread.get(id) ?? '');
}
