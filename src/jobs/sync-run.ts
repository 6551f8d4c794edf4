import { isComingOfAge } from '../domain/coming-of-age-log.js';
import {
  type PlannedBatch,
  type Run,
  type User,
  ZERO_COUNTERS,
  ZERO_USAGE,
} from '../domain/model.js';
import { enqueueBatchIfReady } from './batch-chain.js';
import { type JobDeps, syncTask } from './job-deps.js';

const BATCH_SIZE = 500;

export interface IncrementalWork {
  readonly user: User;
  /** The cursor the sync read from: it must still be the stored one to claim the messages. */
  readonly from: string;
  /** Where the cursor moves once the messages are saved as the run's batches. */
  readonly to: string;
  readonly ids: readonly string[];
  /** The ids as batches already planned (sync-plan.ts); without, `ids` are read in batches of 500. */
  readonly batches?: readonly PlannedBatch[];
  /** Plain-words lines for the run's log (a catch-up says why and how far it looked). */
  readonly notes?: readonly string[];
}

/**
 * Saves what a sync found as an incremental run with its batches, then moves the cursor with
 * compare-and-set: the saved batches are the record of work owed, so a crash after the move
 * loses nothing (the batch tasks are retried) and a crash before it repeats the sync. If
 * another sync moved the cursor first, it has claimed these messages: this run is cancelled
 * before anything is decided, and a further sync reads whatever the winner had not seen. The
 * batches go through the full scan's pipeline (batch-chain).
 */
export async function startIncrementalRun(
  deps: JobDeps,
  work: IncrementalWork,
): Promise<Run | undefined> {
  const { store, clock } = deps;
  const run = newIncrementalRun(
    deps,
    work.user.id,
    clock.now(),
    work.from,
    work.ids.length,
    work.notes,
  );
  await store.createRun(run);
  const batches: PlannedBatch[] = work.batches ? [...work.batches] : [];
  for (let start = 0; !work.batches && start < work.ids.length; start += BATCH_SIZE) {
    const messageIds = work.ids.slice(start, start + BATCH_SIZE);
    batches.push({
      batchNo: batches.length,
      messageIds,
      nextPageToken: null,
      listedThrough: start + messageIds.length,
    });
  }
  await store.putBatches(run.id, batches);

  if (!(await store.advanceCursor(work.user.id, work.from, work.to, clock.now()))) {
    await store.updateRun(run.id, ['QUEUED'], { status: 'CANCELLED', endedAt: clock.now() });
    // The winner may have read less history than this sync did, and no notification may come
    // for the rest: one more sync from the winner's cursor reads it.
    const cursor = (await store.getUser(work.user.id))?.cursor?.historyId;
    if (cursor !== undefined && BigInt(cursor) < BigInt(work.to)) {
      await deps.queue.enqueue(syncTask(work.user.id, clock.now()));
    }
    deps.log.info('another sync took these messages first', { runId: run.id });
    return undefined;
  }
  await cancelAbandoned(deps, run);
  await store.updateRun(run.id, ['QUEUED'], { status: 'PROCESSING', startedAt: clock.now() });
  await store.finishPlanning(run.id, batches.length, work.ids.length, clock.now());
  if (batches.length > 0) await enqueueBatchIfReady(deps, run.id, 0);
  return run;
}

/**
 * An incremental run that claims no history (a coming-of-age pass): created with its batches,
 * planning finished, its first batch queued.
 */
export async function launchIncrementalRun(
  deps: JobDeps,
  work: {
    readonly userId: string;
    readonly now: number;
    /** The mailbox's history id before listing: the batches check what changed since. */
    readonly startHistoryId: string;
    readonly batches: readonly PlannedBatch[];
    readonly notes: readonly string[];
  },
): Promise<Run> {
  const total = work.batches.reduce((n, b) => n + b.messageIds.length, 0);
  const run = newIncrementalRun(
    deps,
    work.userId,
    work.now,
    work.startHistoryId,
    total,
    work.notes,
  );
  await deps.store.createRun(run);
  await deps.store.putBatches(run.id, work.batches);
  await deps.store.updateRun(run.id, ['QUEUED'], {
    status: 'PROCESSING',
    startedAt: deps.clock.now(),
  });
  await deps.store.finishPlanning(run.id, work.batches.length, total, deps.clock.now());
  if (work.batches.length > 0) await enqueueBatchIfReady(deps, run.id, 0);
  return run;
}

function newIncrementalRun(
  deps: JobDeps,
  userId: string,
  now: number,
  startHistoryId: string,
  total: number,
  notes: readonly string[] = [],
): Run {
  return {
    id: deps.ids.runId(),
    userId,
    kind: 'incremental',
    mode: 'auto',
    status: 'QUEUED',
    scheduledAt: now,
    startedAt: null,
    endedAt: null,
    startHistoryId,
    total,
    batchCount: null,
    batchesDone: 0,
    counters: ZERO_COUNTERS,
    llm: ZERO_USAGE,
    errors: notes.map((message) => ({ at: now, message })),
    appliedAt: null,
  };
}

/**
 * Once this run holds the claim, other QUEUED runs from the same cursor can never get it: they
 * were left by a sync that crashed before its compare-and-set (no task will process them), or
 * belong to one about to lose it. Cancelled, they do not linger on the dashboard.
 */
async function cancelAbandoned(deps: JobDeps, claimed: Run): Promise<void> {
  for (const run of await deps.store.listRuns(claimed.userId, 10)) {
    if (run.id === claimed.id || run.kind !== 'incremental' || run.status !== 'QUEUED') continue;
    // A coming-of-age run claims no history: it is never another sync's leftover.
    if (isComingOfAge(run)) continue;
    if (run.startHistoryId !== claimed.startHistoryId) continue;
    const cancelled = await deps.store.updateRun(run.id, ['QUEUED'], {
      status: 'CANCELLED',
      endedAt: deps.clock.now(),
    });
    if (cancelled) {
      await deps.store.appendRunError(run.id, {
        at: deps.clock.now(),
        message: 'Interrupted before it started; a later sync took over its messages.',
      });
    }
  }
}
