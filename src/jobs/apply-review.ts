import type { MessageDecision, Run, RunCounters } from '../domain/model.js';
import { ZERO_COUNTERS } from '../domain/model.js';
import { onKeepList } from '../domain/protection.js';
import {
  CHANGED_BEFORE_APPLY,
  KEPT_IN_REVIEW,
  ReviewPlanBuilder,
  UNKNOWN_SENDER_KEY,
} from '../domain/review-plan.js';
import { AppError } from '../errors.js';
import type { JobDeps } from './job-deps.js';
import { guardBeforeTrash } from './trash-guard.js';
import { afterRunFinished } from './watch-mailbox.js';

export const APPLY_TASK_PATH = '/tasks/apply-review';
/** Batches one apply task trashes before it hands over to the next: 10,000 messages at most. */
const BATCHES_PER_TASK = 20;

/** The apply of review run `runId` from batch `fromBatch`. */
export function applyTask(runId: string, fromBatch: number, keepUnknown: boolean) {
  return {
    name: `apply-${runId}-${fromBatch}`,
    path: APPLY_TASK_PATH,
    payload: { runId, fromBatch, keepUnknown },
  };
}

/** A review run's proposal, read batch by batch. */
export async function reviewPlan(deps: Pick<JobDeps, 'store'>, runId: string) {
  const builder = new ReviewPlanBuilder();
  for (let batchNo = 0; ; batchNo++) {
    const batch = await deps.store.getBatch(runId, batchNo);
    if (!batch) break;
    builder.add(batch);
  }
  return builder.result();
}

/**
 * The owner applies a review: the kept senders join the keep-list first (so whatever happens
 * next, their mail is protected), then the run moves REVIEW -> DELETING (compare-and-set: a
 * second click, or a review that just expired, changes nothing) and a task trashes the rest.
 * A key that is not in the run's proposal is refused before anything changes.
 */
export async function requestApply(
  deps: JobDeps,
  userId: string,
  runId: string,
  keep: readonly string[],
): Promise<Run> {
  const run = await deps.store.getRun(runId);
  if (!run || run.userId !== userId) throw new AppError('not_found', 'No such run');
  if (run.mode !== 'review' || run.status !== 'REVIEW') {
    throw new AppError('conflict', 'This run is not waiting for your review');
  }
  const plan = await reviewPlan(deps, runId);
  const keys = new Set(plan.senders.map((s) => s.key));
  const unknown = keep.filter((k) => !keys.has(k));
  if (unknown.length > 0) {
    throw new AppError('bad_request', 'Keep only senders listed in this review, then try again.');
  }
  const user = await deps.store.getUser(userId);
  if (!user) throw new AppError('not_found', 'No such user');
  const now = deps.clock.now();
  const current = new Set(user.policy.keepSenders);
  const added = [...new Set(keep)].filter((k) => k !== UNKNOWN_SENDER_KEY && !current.has(k));
  if (added.length > 0) {
    await deps.store.updateUser(userId, {
      policy: {
        ...user.policy,
        keepSenders: [...user.policy.keepSenders, ...added],
        version: user.policy.version + 1,
      },
      updatedAt: now,
    });
  }
  const applied = await deps.store.updateRun(runId, ['REVIEW'], {
    status: 'DELETING',
    appliedAt: now,
  });
  if (!applied) throw new AppError('conflict', 'This review was applied or expired already');
  await deps.queue.enqueue(applyTask(runId, 0, keep.includes(UNKNOWN_SENDER_KEY)));
  deps.log.info('review applied', { runId, keptSenders: keep.length });
  return applied;
}

/**
 * The apply task: a few batches per task, each batch's trash decisions revised (kept senders
 * keep, mail starred, labelled or replied to since the scan is protected) and saved before the
 * rest goes to Trash. Trashing is idempotent and the revision repeatable, so a retried part
 * does no harm; the last part counts what the batches say and finishes the run once.
 */
export async function applyReview(
  deps: JobDeps,
  runId: string,
  fromBatch: number,
  keepUnknown: boolean,
): Promise<void> {
  const { store } = deps;
  const run = await store.getRun(runId);
  if (run?.mode !== 'review' || run.appliedAt === null || run.status !== 'DELETING') return;
  const user = await store.getUser(run.userId);
  if (!user) return;
  const mailbox = await deps.mailboxFor(user);
  const keeps = (sender: string | null) =>
    sender === null ? keepUnknown : onKeepList(sender, user.policy.keepSenders);
  for (let batchNo = fromBatch; batchNo < fromBatch + BATCHES_PER_TASK; batchNo++) {
    const batch = await store.getBatch(runId, batchNo);
    if (!batch) return finish(deps, run);
    const kept = batch.decisions.map(
      (d): MessageDecision =>
        d.decision === 'trash' && keeps(d.sender)
          ? { ...d, decision: 'keep', reason: KEPT_IN_REVIEW }
          : d,
    );
    // Days may pass between deciding and applying: the same check as before any Trash.
    const guarded = await guardBeforeTrash(deps, run, user, mailbox, kept);
    const revised = guarded.map(
      (d, i): MessageDecision =>
        kept[i]?.decision === 'trash' && d.decision !== 'trash'
          ? { ...d, reason: CHANGED_BEFORE_APPLY, sender: null }
          : d,
    );
    await store.reviseDecisions(runId, batchNo, revised);
    const ids = revised.filter((d) => d.decision === 'trash').map((d) => d.id);
    if (ids.length > 0) await mailbox.trash(ids);
  }
  await deps.queue.enqueue(applyTask(runId, fromBatch + BATCHES_PER_TASK, keepUnknown));
}

/** Counts what the revised batches say and finishes the run (once), then its watch. */
async function finish(deps: JobDeps, run: Run): Promise<void> {
  let added: RunCounters = ZERO_COUNTERS;
  for (let batchNo = 0; ; batchNo++) {
    const batch = await deps.store.getBatch(run.id, batchNo);
    if (!batch) break;
    for (const d of batch.decisions) added = addApplied(added, d);
  }
  const done = await deps.store.finishApplied(run.id, added, deps.clock.now());
  if (!done) return;
  deps.log.info('review run done', { runId: run.id, trashed: done.counters.trashed });
  await afterRunFinished(deps, done);
}

/** What one revised decision adds: the review counted every decision as processed already. */
function addApplied(c: RunCounters, d: MessageDecision): RunCounters {
  if (d.decision === 'trash') {
    return { ...c, trashed: c.trashed + 1, bytesTrashed: c.bytesTrashed + d.bytes };
  }
  if (d.reason === KEPT_IN_REVIEW) return { ...c, kept: c.kept + 1 };
  if (d.reason === CHANGED_BEFORE_APPLY) return { ...c, protected: c.protected + 1 };
  return c;
}
