import {
  CAME_OF_AGE,
  isComingOfAge,
  isSkippedPass,
  PASS_SKIPPED_NOTE,
} from '../domain/coming-of-age-log.js';
import { addressesOf, decidedSenders, fromTerms, senderPrefix } from '../domain/known-senders.js';
import { SearchRefused } from '../domain/mailbox-errors.js';
import { FINAL_STATUSES, type PlannedBatch, type Run, type User } from '../domain/model.js';
import { cachedPartVerdict } from '../domain/part-decisions.js';
import type { Classifier, Mailbox } from '../domain/ports.js';
import {
  keepListQuery,
  oldBefore,
  type Partition,
  scanPartitions,
} from '../domain/scan-partitions.js';
import { waitsForDailyQuota } from '../domain/scan-waits.js';
import { discoverSenders, type Listed, listAll } from './discover-senders.js';
import type { JobDeps } from './job-deps.js';
import { launchIncrementalRun } from './sync-run.js';
import { fromCheckNeeded, verifiedSenders } from './verify-senders.js';

const DAY = 86_400_000;
const BATCH_SIZE = 500;
/** A pass runs at most this often (the local cron calls hourly, the cloud's daily). */
const PASS_EVERY_MS = 20 * 60 * 60_000;
/** Without an earlier pass or full scan on record, how far before the cut-off a pass looks. */
const FIRST_LOOK_BACK_MS = 7 * DAY;
const SENDERS_PER_SEARCH = 40;
const SENDERS_SEARCHED = 2_000;
/** Runs looked through for the last pass (syncs make runs too). */
const RUNS_LOOKED_AT = 200;

/**
 * The daily coming-of-age pass of one user: mail kept because it was younger than the owner's
 * minimum age, and old enough now, is looked at again without reading it twice. One search per
 * part of the mailbox (the scan's partitions, old and unprotected, where the sender decides)
 * between the previous cut-off and the new one, over the senders already decided disposable,
 * lists what can go; with the rules, senders never decided are sampled as a full scan does.
 * What it finds goes through the batch pipeline as an incremental run noted "came of age".
 * If Gmail refuses one of its searches, the pass is skipped for the day (see skipPass).
 */
export async function comingOfAge(deps: JobDeps, userId: string): Promise<Run | undefined> {
  const user = await deps.store.getUser(userId);
  if (!user || user.needsReconnect || user.refreshToken === null || !user.cursor) return;
  const now = deps.clock.now();
  const runs = await deps.store.listRuns(userId, RUNS_LOOKED_AT);
  // A scan under way decides all of it anyway; only a finished one leaves mail to come of age.
  // A scan waiting in line for the day's Gmail quota has decided nothing yet: it holds nothing back.
  const underWay = (run: Run) =>
    run.kind === 'full' && !FINAL_STATUSES.includes(run.status) && !waitsForDailyQuota(run);
  if (runs.some(underWay)) return;
  const passes = runs.filter((run) => isComingOfAge(run) && run.status !== 'CANCELLED');
  // A skipped pass counts for how often a pass runs, but looked at nothing: the next window
  // starts where the last pass that looked stopped.
  const [latest] = passes;
  if (latest && now - latest.scheduledAt < PASS_EVERY_MS) return;
  const last = passes.find((run) => !isSkippedPass(run));
  const scan = runs.find((run) => run.kind === 'full' && run.status === 'DONE');
  // Never scanned: nothing was kept for being young. (Past the runs looked at, it may have been.)
  if (!last && !scan && runs.length < RUNS_LOOKED_AT) return;
  const minAge = user.policy.minAgeDays;
  const to = oldBefore(now, minAge);
  const from = last
    ? oldBefore(last.scheduledAt, minAge)
    : scan
      ? oldBefore(scan.startedAt ?? scan.scheduledAt, minAge)
      : to - FIRST_LOOK_BACK_MS / 1000;
  if (from >= to) return;

  const classifier = await deps.classifierFor(user);
  const mailbox = await deps.mailboxFor(user);
  // Before listing, as a full scan does: the batches check what changed since.
  const { historyId } = await mailbox.profile();
  let batches: PlannedBatch[];
  try {
    batches = await planPass(deps, user, mailbox, classifier, { now, from, to });
  } catch (error) {
    if (!(error instanceof SearchRefused)) throw error;
    return skipPass(deps, userId, now, historyId);
  }
  const total = batches.reduce((n, b) => n + b.messageIds.length, 0);
  if (total === 0) {
    deps.log.info('coming of age: nothing old enough to look at again', { userId });
    return;
  }
  const days = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
  const note = `${CAME_OF_AGE}: mail dated ${days(from)} to ${days(to)}, now older than ${minAge} day${minAge === 1 ? '' : 's'}, looked at again.`;
  const run = await launchIncrementalRun(deps, {
    userId,
    now,
    startHistoryId: historyId,
    batches,
    notes: [note],
  });
  deps.log.info('coming of age queued', { runId: run.id, messages: total });
  return run;
}

/**
 * Gmail refused one of the pass's searches (400: an operator it does not take here). The pass
 * ends, recorded as a run that looked at nothing and says why, and tomorrow's tries again over
 * a window that still starts where the last pass that looked stopped. Reading the window's mail
 * instead would cost 20 units a message, every day the refusal lasts, to trash mail that is
 * safe where it is: kept mail is the safe side, and a search that works tomorrow catches up.
 */
async function skipPass(
  deps: JobDeps,
  userId: string,
  now: number,
  historyId: string,
): Promise<Run> {
  deps.log.warn('coming of age: search refused, pass skipped for today', { userId });
  return launchIncrementalRun(deps, {
    userId,
    now,
    startHistoryId: historyId,
    batches: [],
    notes: [PASS_SKIPPED_NOTE],
  });
}

interface Window {
  readonly now: number;
  /** Epoch seconds: the previous cut-off and the new one. */
  readonly from: number;
  readonly to: number;
}

async function planPass(
  deps: JobDeps,
  user: User,
  mailbox: Mailbox,
  classifier: Classifier,
  window: Window,
): Promise<PlannedBatch[]> {
  const scan = classifier.scanBySender;
  const readsText = scan?.readsText === true;
  const decisions = await deps.store.listSenderDecisions(user.id, SENDERS_SEARCHED);
  const senders = decidedSenders(decisions, senderPrefix(readsText), user.policy);
  const byKey = new Map(decisions.map((d) => [d.senderKey, d]));
  const keepList = keepListQuery(user.policy.keepSenders);
  const parts = scanPartitions({
    keepSenders: user.policy.keepSenders,
    startedAt: window.now,
    minAgeDays: user.policy.minAgeDays,
  }).filter(
    (p) =>
      p.facts.old === true &&
      p.facts.protectedBy === null &&
      !scan?.mustRead?.(p.facts) &&
      (scan?.needsSender(p.facts) ?? true),
  );

  const batches: PlannedBatch[] = [];
  let listed = 0;
  const save = async (
    ids: readonly Listed[],
    plan: (chunk: readonly Listed[]) => PlannedBatch['plan'],
  ) => {
    for (let start = 0; start < ids.length; start += BATCH_SIZE) {
      const chunk = ids.slice(start, start + BATCH_SIZE);
      listed += chunk.length;
      batches.push({
        batchNo: batches.length,
        messageIds: chunk.map((m) => m.id),
        nextPageToken: null,
        listedThrough: listed,
        plan: plan(chunk),
      });
    }
    return true;
  };

  for (const part of parts) {
    const q = `${part.query} after:${window.from}`;
    const category = part.facts.category;
    const decided =
      category && category !== 'personal' && category !== 'none'
        ? senders.get(category)
        : undefined;
    const taken = new Set<string>();
    const named = new Map<string, Set<string>>();
    const search = async (addresses: readonly string[], exclude: string) => {
      const found: Listed[] = [];
      for (const term of fromTerms(addresses, SENDERS_PER_SEARCH)) {
        const senders = new Set(addressesOf(term));
        for (const m of await listAll(mailbox, `${q} ${term}${exclude}`)) {
          if (!taken.has(m.id)) found.push(m);
          taken.add(m.id);
          named.set(m.id, senders);
        }
      }
      return found;
    };
    // A part the LLM decided whole from its facts (unimportant promotions or social mail):
    // what came of age in it goes, as its young mail would have on arrival.
    const partVerdict = readsText ? cachedPartVerdict(byKey, part.facts, user.policy) : undefined;
    if (partVerdict?.action === 'trash') {
      const listed = await listAll(mailbox, `${q}${keepList ? ` -${keepList}` : ''}`);
      await save(listed, (chunk) => ({
        kind: 'known',
        facts: part.facts,
        threadIds: chunk.map((m) => m.threadId),
        action: 'trash',
        reason: partVerdict.reason,
      }));
      continue;
    }
    // Important mail of a disposable sender is judged on its own by the LLM: not attributed.
    if (decided && !(readsText && part.facts.important)) {
      const listed = await search(decided.trash, keepList ? ` -${keepList}` : '');
      // A display-name look-alike is found with the sender's own mail: outside the bulk
      // categories each is checked against its From header before it goes to Trash unread
      // (verify-senders.ts). What fails is left to what follows.
      const checked = fromCheckNeeded(category) ? listed : [];
      const verified = await verifiedSenders(
        mailbox,
        new Map(checked.map((m) => [m.id, named.get(m.id) ?? new Set<string>()])),
      );
      for (const m of listed) if (!fromCheckNeeded(category)) verified.add(m.id);
      const trash = listed.filter((m) => verified.has(m.id));
      for (const m of listed) if (!verified.has(m.id)) taken.delete(m.id);
      await save(trash, (chunk) => ({
        kind: 'known',
        facts: part.facts,
        threadIds: chunk.map((m) => m.threadId),
        action: 'trash',
        reason: 'a sender decided disposable',
      }));
    }
    // The LLM judged each message's text when it arrived; the rules never read unknown senders.
    if (readsText) continue;
    if (decided) await search(decided.keep, '');
    const rest = (await listAll(mailbox, q)).filter((m) => !taken.has(m.id));
    if (rest.length > 0) {
      await discoverSenders(mailbox, windowed(part, q), rest, save, {
        readsText,
        seed: `${user.id}-${window.to}`,
      });
    }
  }
  return batches;
}

function windowed(part: Partition, query: string): Partition {
  return { ...part, query };
}
