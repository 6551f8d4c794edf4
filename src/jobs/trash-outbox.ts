import { isComingOfAge } from '../domain/coming-of-age-log.js';
import { countDecisions } from '../domain/decide.js';
import { unreadMeta } from '../domain/message.js';
import {
  FINAL_STATUSES,
  type MessageDecision,
  type QueuedTrash,
  type RunState,
  type User,
} from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { protectionReason } from '../domain/protection.js';
import type { CompleteBatch } from '../domain/run-store.js';
import { protectionContext, rememberAs, rememberMarksSince } from './conversation-marks.js';
import {
  flushTask,
  type JobDeps,
  SYNC_TRASH_MAX_WAIT_MS,
  SYNC_TRASH_QUIET_MS,
  syncFlushTask,
  TRASH_FLUSH_WINDOW_MS,
} from './job-deps.js';
import {
  listSnoozed,
  MAYBE_SNOOZED_REASON,
  noteSnoozedRefused,
  outsideInbox,
} from './snoozed-mail.js';
import { guardBeforeTrash } from './trash-guard.js';
import { afterRunFinished } from './watch-mailbox.js';

/** Gmail takes at most 1,000 ids per batchModify: a flush is one such call. */
export const FLUSH_AT_IDS = 1_000;
/**
 * A batch this big spends 50 units on its trash call for 500 messages (0.1 a message), and
 * its run's progress (counted when the trash is flushed) should not wait: it flushes at once.
 */
const FULL_BATCH = 500;
/** Entries read per flush: more than a flush can carry whatever their sizes. */
const ENTRIES_PER_FLUSH = 1_000;
/** Flushes one task makes in a row before it leaves the rest of the outbox to a new task. */
const FLUSH_ROUNDS_PER_TASK = 4;

/**
 * A decided batch's trash joins its user's outbox instead of going to Gmail at once: one
 * `batchModify` costs 50 units whether it carries 5 ids or 1,000, and a long tail of senders
 * makes many small batches. The outbox is flushed when it holds 1,000 ids, when a full batch
 * (500 messages) queued its trash, when the last batch of a planned run is decided, and once
 * its oldest entry has waited a minute (see flushIfStale); a sync's trash waits until no sync
 * has queued trash for SYNC_TRASH_QUIET_MS, a minute at most (flushSyncTrash, from a delayed
 * task: no later task of a sync would come to flush it). The batch is counted (and its run can end) when its trash is flushed.
 * A full scan's flushes come from its batch chain, each before the next batch is queued
 * (process-batch.ts), so that two flushes rarely take the same entries: each would check,
 * trash and count them again (harmless, but paid in Gmail units and documents).
 */
export async function queueBatchTrash(
  deps: JobDeps,
  run: RunState,
  entry: Omit<QueuedTrash, 'queuedAt'>,
  /** How many messages the batch holds: a full batch's trash call is already cheap. */
  batchSize: number,
): Promise<void> {
  const now = deps.clock.now();
  const queued = await deps.store.queueTrash(run.userId, { ...entry, queuedAt: now });
  await afterQueued(deps, run, queued, batchSize, now);
}

/**
 * Once a batch's trash is in the outbox (by queueBatchTrash, or saved with its decisions):
 * flushes now, leaves a sync's trash to wait for others', or flushes when due.
 */
export async function afterQueued(
  deps: JobDeps,
  run: RunState,
  /** How many ids the outbox holds now. */
  queued: number,
  batchSize: number,
  queuedAt: number,
): Promise<void> {
  // A sync's trash waits for the rest of its burst to share its batchModify.
  const sync = run.kind === 'incremental' && !isComingOfAge(run);
  const full = queued >= FLUSH_AT_IDS || batchSize >= FULL_BATCH;
  if (full) await flushTrash(deps, run.userId);
  else if (sync) await deps.queue.enqueue(syncFlushTask(run.userId, queuedAt, deps.clock.now()));
  else await flushIfDue(deps, run);
}

/**
 * After a batch of `run` is decided, with or without trash of its own: the outbox is flushed
 * once the run's last batch is decided (what earlier batches queued must not wait for more),
 * or when its oldest entry has waited a minute. A sync's trash is the exception: the delayed
 * task queued with it flushes it, so that the next syncs' share its batchModify (a sync whose
 * last batch, mail read and judged, is decided after its trash would otherwise pay its own).
 */
export async function flushIfDue(deps: JobDeps, run: RunState): Promise<void> {
  const sync = run.kind === 'incremental' && !isComingOfAge(run);
  if (!sync && (await planDecided(deps, run))) await flushTrash(deps, run.userId);
  else await flushIfStale(deps, run.userId);
}

/**
 * The outbox's timer: flushes when its oldest entry has waited a minute. The run's own tasks
 * (every batch, and the plan task after each part it lists) call it, so trash waits at most
 * about a minute while the run works, and no timer task is left behind once it is done.
 */
export async function flushIfStale(deps: JobDeps, userId: string): Promise<void> {
  const [oldest] = await deps.store.queuedTrash(userId, 1);
  if (oldest && deps.clock.now() - oldest.queuedAt >= TRASH_FLUSH_WINDOW_MS) {
    await flushTrash(deps, userId);
  }
}

/**
 * The run is planned and its last batch is decided: nothing more will join this run's trash
 * soon (batches run in order; one retried out of order also finds the last one decided).
 */
async function planDecided(deps: JobDeps, run: RunState): Promise<boolean> {
  if (run.batchCount === null) return false;
  const last = await deps.store.getBatch(run.id, run.batchCount - 1);
  return last !== undefined && last.status !== 'pending';
}

/**
 * Moves the oldest whole entries of the user's outbox (up to 1,000 ids) to Trash in one
 * `batchModify`, after one check for what changed since the runs started, then counts their
 * batches and takes them out. Safe to repeat at any point: trashing is idempotent, a batch is
 * counted once, and an entry leaves the outbox in the transaction that counts its batch, so a crash
 * loses no id. Entries of a cancelled or failed run are dropped untrashed.
 */
export async function flushTrash(deps: JobDeps, userId: string): Promise<void> {
  await flushQueued(deps, userId, await deps.store.queuedTrash(userId, ENTRIES_PER_FLUSH));
}

/**
 * The delayed flush of the sync trash queued at `after` (syncFlushTask): the outbox goes to
 * Gmail once it has been quiet since then, as it is when no entry came later. While more
 * comes, each later entry's own task comes to look; its oldest entry still goes within
 * SYNC_TRASH_MAX_WAIT_MS, since a burst's tasks come at most SYNC_TRASH_QUIET_MS apart.
 */
export async function flushSyncTrash(deps: JobDeps, userId: string, after: number): Promise<void> {
  const queued = await deps.store.queuedTrash(userId, ENTRIES_PER_FLUSH);
  const oldest = queued[0]?.queuedAt;
  if (oldest === undefined) return;
  const waited = deps.clock.now() - oldest;
  const more = queued.some((entry) => entry.queuedAt > after);
  if (more && waited < SYNC_TRASH_MAX_WAIT_MS - SYNC_TRASH_QUIET_MS) return;
  await flushQueued(deps, userId, queued);
}

/** flushTrash, given the outbox's oldest entries as read. */
async function flushQueued(
  deps: JobDeps,
  userId: string,
  queued: readonly QueuedTrash[],
  /** How many flushes this task made before this one. */
  round = 0,
): Promise<void> {
  const { store } = deps;
  if (queued.length === 0) return;
  const user = await store.getUser(userId);
  if (!user) return;
  const taken: QueuedTrash[] = [];
  let ids = 0;
  for (const entry of queued) {
    if (taken.length > 0 && ids + entry.ids.length > FLUSH_AT_IDS) break;
    taken.push(entry);
    ids += entry.ids.length;
  }
  if (taken.length === 0) return;

  const runs = new Map<string, RunState | undefined>();
  for (const { runId } of taken) {
    if (!runs.has(runId)) runs.set(runId, await store.getRunState(runId));
  }
  const live = taken.filter((e) => {
    const run = runs.get(e.runId);
    return run !== undefined && !FINAL_STATUSES.includes(run.status);
  });
  const mailbox = await deps.mailboxFor(user);
  const candidates = live.flatMap((e) => e.ids.map((id) => ({ id })));
  // One check per run of what was marked since it started (trash-guard.ts): reasons by id.
  const guarded = new Map<string, string>();
  for (const [runId, run] of runs) {
    const mine = live.filter((e) => e.runId === runId);
    if (!run || mine.length === 0) continue;
    const trash = mine.flatMap((e) =>
      e.ids.map(
        (id, i): MessageDecision => ({
          id,
          decision: 'trash',
          reason: '',
          sender: null,
          bytes: 0,
          threadId: e.threadIds[i] || undefined,
        }),
      ),
    );
    for (const d of await guardBeforeTrash(deps, run, user, mailbox, trash)) {
      if (d.decision !== 'trash') guarded.set(d.id, d.reason);
    }
  }
  await guardSyncTrash(deps, user, mailbox, runs, live, guarded);
  const trash = candidates.filter((c) => !guarded.has(c.id)).map((c) => c.id);
  if (trash.length > 0) await mailbox.trash(trash);

  const completions: CompleteBatch[] = [];
  for (const entry of live) {
    const batch = await store.getBatch(entry.runId, entry.batchNo);
    if (!batch || batch.status === 'done') continue;
    const protectNow = (d: MessageDecision) => d.decision === 'trash' && guarded.has(d.id);
    const decisions = batch.decisions.map(
      (d): MessageDecision =>
        protectNow(d)
          ? { ...d, decision: 'protected', reason: guarded.get(d.id) ?? '', sender: null }
          : d,
    );
    completions.push({
      runId: entry.runId,
      batchNo: entry.batchNo,
      decisions,
      counters: countDecisions(decisions),
      llm: batch.llm,
      now: deps.clock.now(),
    });
  }
  // Each batch is counted as its entry leaves the outbox; the rest (dropped, or counted by an
  // earlier attempt) leave with them.
  const results = await store.finishFlush(userId, taken, completions);
  const finished = results.flatMap(({ applied, run }) =>
    applied && run.status === 'DONE' ? [run] : [],
  );
  for (const run of finished) {
    deps.log.info('run done', {
      runId: run.id,
      trashed: run.counters.trashed,
      processed: run.counters.processed,
    });
    await afterRunFinished(deps, run);
  }
  // More than one flush's worth was waiting: the next flush goes on at once, in this task
  // (a task of its own would run beside the next flush of the run's batch chain), up to a few
  // rounds; a backlog beyond them goes on in a task, so that no task outlives its deadline.
  if (queued.length <= taken.length) return;
  if (round < FLUSH_ROUNDS_PER_TASK) {
    const next = await store.queuedTrash(userId, ENTRIES_PER_FLUSH);
    return flushQueued(deps, userId, next, round + 1);
  }
  await deps.queue.enqueue(flushTask(userId, deps.clock.now()));
}

/**
 * A sync decided with the marks made up to its cursor; its trash then waited in the outbox. The
 * labels added since the earliest of those cursors (one history.list page, 2 units, for all
 * the syncs of a flush) mark conversations anew, and a queued message of a conversation marked
 * meanwhile is protected after all. Snoozing leaves no label in history, so snoozed mail is
 * listed too (`in:snoozed`, 5 units a page, once per flush); if Gmail refuses that search, the
 * queued mail of conversations outside the Inbox is kept (trash-guard.ts).
 */
async function guardSyncTrash(
  deps: JobDeps,
  user: User,
  mailbox: Mailbox,
  runs: ReadonlyMap<string, RunState | undefined>,
  live: readonly QueuedTrash[],
  guarded: Map<string, string>,
): Promise<void> {
  const syncs = live.filter((e) => {
    const run = runs.get(e.runId);
    return run?.kind === 'incremental' && !isComingOfAge(run) && run.startHistoryId !== null;
  });
  if (syncs.length === 0) return;
  const from = syncs
    .map((e) => BigInt(runs.get(e.runId)!.startHistoryId!))
    .reduce((a, b) => (a < b ? a : b));
  await rememberMarksSince(deps.store, mailbox, user.id, String(from));
  const snoozed = await listSnoozed(mailbox);
  if (snoozed !== 'refused') await rememberAs(deps.store, user.id, snoozed, 'snoozed');
  const queued = syncs.flatMap((e) => e.ids.map((id, i) => unreadMeta(id, e.threadIds[i] ?? id)));
  const ctx = await protectionContext(deps.store, user, queued);
  let maybeSnoozed = new Set<string>();
  if (snoozed === 'refused') {
    for (const runId of new Set(syncs.map((e) => e.runId))) {
      await noteSnoozedRefused(deps.store, runId, deps.clock.now());
    }
    maybeSnoozed = await outsideInbox(mailbox, queued);
  }
  for (const m of queued) {
    const reason =
      protectionReason(m, ctx) ?? (maybeSnoozed.has(m.id) ? MAYBE_SNOOZED_REASON : null);
    if (reason !== null && !guarded.has(m.id)) guarded.set(m.id, reason);
  }
}
