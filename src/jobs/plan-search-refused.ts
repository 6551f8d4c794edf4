import { SearchRefused } from '../domain/mailbox-errors.js';
import { FINAL_STATUSES, type Run, type User } from '../domain/model.js';
import type { Classifier, Mailbox } from '../domain/ports.js';
import { enqueueBatchIfReady, saveOwnBatch } from './batch-chain.js';
import type { JobDeps } from './job-deps.js';
import { planBySender } from './plan-by-sender.js';

/** What the run's log says when Gmail refuses a search the scan by sender needs. */
export const SEARCH_REFUSED_NOTE =
  'Gmail refused a search this scan needs: the rest of the mailbox is read message by message.';

/**
 * The scan by sender, or, when Gmail refuses one of its searches (400: an operator the server
 * does not take), every message it has not planned yet read one by one: the run still covers
 * the whole mailbox, at 20 units a message instead of a search's fraction of one. A retried
 * plan meets the refusal again and goes the same way, skipping what is saved.
 */
export async function planBySenderOrRead(
  deps: JobDeps,
  run: Run,
  user: User,
  mailbox: Mailbox,
  classifier: Classifier,
): Promise<{ batchCount: number; listed: number } | undefined> {
  try {
    return await planBySender(deps, run, user, mailbox, classifier);
  } catch (error) {
    if (!(error instanceof SearchRefused)) throw error;
    const current = await deps.store.getRun(run.id);
    if (current && !current.errors.some((e) => e.message === SEARCH_REFUSED_NOTE)) {
      await deps.store.appendRunError(run.id, {
        at: deps.clock.now(),
        message: SEARCH_REFUSED_NOTE,
      });
    }
    deps.log.warn('search refused: reading the rest of the scan', { runId: run.id });
    return planTheRest(deps, run.id, mailbox);
  }
}

/** Lists every message outside Spam and Trash (500 a page, a batch each) and saves those no batch holds yet, to be read. */
async function planTheRest(deps: JobDeps, runId: string, mailbox: Mailbox) {
  const { store } = deps;
  const saved = new Set((await store.listBatches(runId)).flatMap((b) => b.messageIds));
  const last = await store.lastBatch(runId);
  let batchNo = last ? last.batchNo + 1 : 0;
  let listed = last?.listedThrough ?? 0;
  if (last) await enqueueBatchIfReady(deps, runId, last.batchNo);
  let pageToken: string | undefined;
  do {
    const current = await store.getRun(runId);
    if (!current || FINAL_STATUSES.includes(current.status)) return undefined;
    const page = await mailbox.listIds({ pageToken });
    pageToken = page.nextPageToken;
    const messageIds = page.ids.map((m) => m.id).filter((id) => !saved.has(id));
    if (messageIds.length === 0) continue;
    listed += messageIds.length;
    // Marked like the scan by sender's batches: a retried plan goes by sender again, never
    // resumes this listing from a page token.
    const batch = {
      batchNo,
      messageIds,
      nextPageToken: 'by-sender',
      listedThrough: listed,
      plan: { kind: 'read' as const },
    };
    if (!(await saveOwnBatch(deps, runId, batch))) return undefined;
    for (const id of messageIds) saved.add(id);
    await enqueueBatchIfReady(deps, runId, batchNo);
    batchNo++;
  } while (pageToken);
  return { batchCount: batchNo, listed };
}
