import { FINAL_STATUSES, type Run } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { enqueueBatchIfReady, saveOwnBatch } from './batch-chain.js';
import { rememberMarkedConversations, runMarkingLabels } from './conversation-marks.js';
import type { JobDeps } from './job-deps.js';
import { planBySenderOrRead } from './plan-search-refused.js';
import { admitFullScan } from './scan-admission.js';
import { noteSnoozedRefused } from './snoozed-mail.js';
import { flushTrash } from './trash-outbox.js';
import { afterRunFinished } from './watch-mailbox.js';

/**
 * The plan task: capture the history cursor first (getProfile), learn which conversations the
 * user marked (exact label listings, see conversation-marks.ts), then cover every message outside Spam and Trash with batches of up to 500 ids,
 * each saved before its task is queued: by sender (plan-by-sender.ts) when the classifier
 * allows it, else page by page. A retried plan resumes after the batches already saved.
 */
export async function planRun(deps: JobDeps, runId: string): Promise<void> {
  const { store, clock } = deps;
  let run = await store.getRun(runId);
  if (!run || FINAL_STATUSES.includes(run.status)) return;
  // A plan task retried after planning ended (its flush or what followed failed) does what
  // followed again: nothing else may come to end the run.
  if (run.batchCount !== null) {
    if (run.status === 'DELETING') await settlePlannedRun(deps, run, run.batchCount, run.total);
    return;
  }
  const user = await store.getUser(run.userId);
  if (!user) {
    await store.updateRun(runId, ['QUEUED', 'PROCESSING', 'DELETING'], {
      status: 'CANCELLED',
      endedAt: clock.now(),
    });
    return;
  }
  if (run.status === 'QUEUED') {
    // A scan that does not fit what is left of the day's Gmail budget waits for the next day.
    if (!(await admitFullScan(deps, run, user))) return;
    run =
      (await store.updateRun(runId, ['QUEUED'], {
        status: 'PROCESSING',
        startedAt: clock.now(),
      })) ?? run;
  }
  const mailbox = await deps.mailboxFor(user);
  if (run.startHistoryId === null) {
    const profile = await mailbox.profile();
    run =
      (await store.updateRun(runId, ['PROCESSING'], {
        startHistoryId: profile.historyId,
        total: profile.messagesTotal,
      })) ?? run;
  }
  // Before any part is planned: every message of a marked conversation is protected however
  // the rest of the scan decides it.
  const snoozedListed = await rememberMarkedConversations(
    store,
    mailbox,
    user.id,
    await runMarkingLabels(runId, mailbox),
  );
  // Said now, so that a review shows it; the check before Trash keeps what may be snoozed.
  if (!snoozedListed) await noteSnoozedRefused(store, runId, clock.now());

  const classifier = await deps.classifierFor(user);
  const planned =
    deps.scanStrategy === 'by-sender' && classifier.scanBySender
      ? await planBySenderOrRead(deps, run, user, mailbox, classifier)
      : await planByMessage(deps, runId, mailbox);
  if (!planned) return;
  const { batchCount: batchNo, listed } = planned;
  const finished = await store.finishPlanning(runId, batchNo, listed, clock.now());
  // DELETING: its batches still read and decide; the last of them (or the flush) ends it.
  if (finished && finished.status !== 'DELETING') await afterRunFinished(deps, finished);
  if (finished?.status === 'DELETING') await settlePlannedRun(deps, finished, batchNo, listed);
  deps.log.info('run planned', { runId, batches: batchNo, listed, status: finished?.status });
}

/**
 * After planning ended with batches still to count. The last batch may have been decided
 * before planning was known to be done: its trash waits in the outbox for a flush, which ends
 * the run. Its task may have read the run just before planning ended and this read its batch
 * just before it was decided: only an unconditional flush here leaves no such run waiting (a
 * flush beside the batches' own costs a check, never a second trash or count). Then the run is
 * read again: the last batch may have been counted while planning ended, each transaction
 * reading the other's document before it was written; the batch's task reads the run after
 * its count, this after planning's end, so one of the two sees the run complete and ends it.
 */
async function settlePlannedRun(
  deps: JobDeps,
  { id: runId, userId }: Pick<Run, 'id' | 'userId'>,
  batchCount: number,
  listed: number,
): Promise<void> {
  const { store, clock } = deps;
  await flushTrash(deps, userId);
  const run = await store.getRun(runId);
  if (run?.status !== 'DELETING' || run.batchesDone < batchCount) return;
  const finished = await store.finishPlanning(runId, batchCount, listed, clock.now());
  if (finished && finished.status !== 'DELETING') {
    deps.log.info('run done after planning', { runId });
    await afterRunFinished(deps, finished);
  }
}

/** Lists every message outside Spam and Trash, 500 ids a page, one batch per page. */
async function planByMessage(deps: JobDeps, runId: string, mailbox: Mailbox) {
  const { store } = deps;
  const last = await store.lastBatch(runId);
  let batchNo = last ? last.batchNo + 1 : 0;
  let listed = last?.listedThrough ?? 0;
  let pageToken = last?.nextPageToken ?? undefined;
  // The task for the last saved batch may not have been queued before a crash; names dedupe.
  if (last) await enqueueBatchIfReady(deps, runId, last.batchNo);
  const listingDone = last !== undefined && last.nextPageToken === null;
  if (!listingDone) {
    do {
      const current = await store.getRunState(runId);
      if (!current || FINAL_STATUSES.includes(current.status)) return undefined;
      const page = await mailbox.listIds({ pageToken });
      pageToken = page.nextPageToken;
      if (page.ids.length === 0) continue;
      listed += page.ids.length;
      const messageIds = page.ids.map((m) => m.id);
      const batch = {
        batchNo,
        messageIds,
        nextPageToken: pageToken ?? null,
        listedThrough: listed,
      };
      if (!(await saveOwnBatch(deps, runId, batch))) return undefined;
      await enqueueBatchIfReady(deps, runId, batchNo);
      batchNo++;
    } while (pageToken);
  }
  return { batchCount: batchNo, listed };
}
