import type { Batch, MessageDecision, Run } from '../../src/domain/model.js';
import type { SimAccount } from '../../src/local/google/sim-account.js';
import { SYSTEM_LABELS } from '../../src/local/google/sim-types.js';

/**
 * What the simulated Gmail says is true, to judge the service by: which messages existed, which
 * the protection rules cover, and which went to Trash. Read from the simulator, never from the
 * service, so a bug in the service's own bookkeeping cannot hide itself.
 */

export interface MessageTruth {
  readonly id: string;
  readonly threadId: string;
  readonly labelIds: readonly string[];
  readonly fromAddress: string;
  readonly snoozed: boolean;
}

export type MailboxSnapshot = ReadonlyMap<string, MessageTruth>;

const SYSTEM = new Set(SYSTEM_LABELS.map((l) => l.id));
const PROTECTING = ['STARRED', 'SENT', 'DRAFT', 'CHAT'];

export function snapshot(account: SimAccount): MailboxSnapshot {
  const all = new Map<string, MessageTruth>();
  for (const m of account.messagesAfter(undefined)) {
    all.set(m.id, {
      id: m.id,
      threadId: m.threadId,
      labelIds: [...m.labelIds],
      fromAddress: m.from.address.toLowerCase(),
      snoozed: m.snoozed === true,
    });
  }
  return all;
}

/** Messages a full scan must decide: everything outside Spam and Trash. */
export function inScope(mailbox: MailboxSnapshot): Set<string> {
  return new Set(
    [...mailbox.values()]
      .filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'))
      .map((m) => m.id),
  );
}

export function inTrash(mailbox: MailboxSnapshot): Set<string> {
  return new Set(
    [...mailbox.values()].filter((m) => m.labelIds.includes('TRASH')).map((m) => m.id),
  );
}

/**
 * The protection rules, from the simulator's labels and threads: every message of a
 * conversation holding a starred (any star or marker), sent, draft, chat, user-labelled or
 * snoozed message, and any sender on the keep-list.
 */
export function protectedIds(
  mailbox: MailboxSnapshot,
  keepSenders: readonly string[] = [],
): Set<string> {
  // Star markers are not among the simulator's always-present system labels: they mark too.
  const marks = (m: MessageTruth) =>
    m.snoozed || m.labelIds.some((l) => PROTECTING.includes(l) || !SYSTEM.has(l));
  const marked = new Set([...mailbox.values()].filter(marks).map((m) => m.threadId));
  const keep = keepSenders.map((s) => s.toLowerCase());
  return new Set(
    [...mailbox.values()]
      .filter(
        (m) =>
          marked.has(m.threadId) ||
          keep.some((k) => m.fromAddress === k || m.fromAddress.endsWith(k.replace(/^@?/, '@'))),
      )
      .map((m) => m.id),
  );
}

/** Everything wrong with one run's books; every list is empty for a run that loses nothing. */
export interface RunAudit {
  readonly decided: number;
  readonly trashed: number;
  /** Ids decided twice within the run. */
  readonly duplicates: string[];
  /** Batches whose decisions do not cover exactly their ids. */
  readonly badBatches: number[];
  /** Batches not done in a run that is DONE. */
  readonly unfinishedBatches: number[];
  /** Counters that disagree with the sum of the decisions. */
  readonly counterErrors: string[];
  /** LLM usage of the run that is not the sum of its batches'. */
  readonly llmErrors: string[];
}

export function auditRun(run: Run, batches: readonly Batch[]): RunAudit {
  const decisions = batches.flatMap((b) => b.decisions);
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const d of decisions) {
    if (seen.has(d.id)) duplicates.push(d.id);
    seen.add(d.id);
  }
  const badBatches = batches
    .filter((b) => b.status !== 'pending')
    .filter((b) => {
      const ids = [...b.messageIds].sort();
      const decided = b.decisions.map((d) => d.id).sort();
      return JSON.stringify(ids) !== JSON.stringify(decided);
    })
    .map((b) => b.batchNo);
  const unfinishedBatches =
    run.status === 'DONE' ? batches.filter((b) => b.status !== 'done').map((b) => b.batchNo) : [];
  const done = batches.filter((b) => b.status === 'done').flatMap((b) => b.decisions);
  const count = (kind: MessageDecision['decision']) =>
    done.filter((d) => d.decision === kind).length;
  const expected = {
    processed: done.length,
    trashed: count('trash'),
    protected: count('protected'),
    kept: count('keep'),
    failed: count('failed'),
    gone: count('gone'),
    bytesTrashed: done.filter((d) => d.decision === 'trash').reduce((n, d) => n + d.bytes, 0),
  };
  const counterErrors = Object.entries(expected)
    .filter(([name, value]) => run.counters[name as keyof typeof expected] !== value)
    .map(
      ([name, value]) =>
        `${name}: run says ${run.counters[name as keyof typeof expected]}, batches ${value}`,
    );
  if (run.batchesDone !== batches.filter((b) => b.status === 'done').length) {
    counterErrors.push(`batchesDone: ${run.batchesDone}`);
  }
  const llmCalls = batches.filter((b) => b.status === 'done').reduce((n, b) => n + b.llm.calls, 0);
  const llmErrors =
    run.llm.calls === llmCalls ? [] : [`calls: run ${run.llm.calls}, batches ${llmCalls}`];
  return {
    decided: decisions.length,
    trashed: decisions.filter((d) => d.decision === 'trash').length,
    duplicates,
    badBatches,
    unfinishedBatches,
    counterErrors,
    llmErrors,
  };
}

/** What a full scan did to the mailbox, judged against the mailbox before it. */
export interface MailboxAudit {
  /** In scope before, still in the mailbox after, and decided by no batch. */
  readonly lost: string[];
  /** Decided though not in scope when the scan started. */
  readonly strangers: string[];
  /** Protected (by the truth before the scan) and in Trash now. */
  readonly protectedTrashed: string[];
  /** Moved to Trash with no trash decision behind it. */
  readonly trashedUndecided: string[];
  /** Trash decisions of finished batches whose message exists but is not in Trash. */
  readonly decidedNotTrashed: string[];
  /** Messages that vanished (deleted by someone else) during the scan. */
  readonly vanished: number;
}

export function auditMailbox(
  before: MailboxSnapshot,
  after: MailboxSnapshot,
  batches: readonly Batch[],
  options: { readonly complete: boolean; readonly keepSenders?: readonly string[] },
): MailboxAudit {
  const scope = inScope(before);
  const decisions = batches.flatMap((b) => b.decisions);
  const decided = new Set(decisions.map((d) => d.id));
  const trashDecided = new Set(decisions.filter((d) => d.decision === 'trash').map((d) => d.id));
  const trashDone = batches
    .filter((b) => b.status === 'done')
    .flatMap((b) => b.decisions)
    .filter((d) => d.decision === 'trash')
    .map((d) => d.id);
  const trashBefore = inTrash(before);
  const trashAfter = inTrash(after);
  const newlyTrashed = [...trashAfter].filter((id) => !trashBefore.has(id));
  const guarded = protectedIds(before, options.keepSenders);
  return {
    lost: options.complete ? [...scope].filter((id) => after.has(id) && !decided.has(id)) : [],
    strangers: [...decided].filter((id) => !scope.has(id)),
    protectedTrashed: newlyTrashed.filter((id) => guarded.has(id)),
    trashedUndecided: newlyTrashed.filter((id) => !trashDecided.has(id)),
    decidedNotTrashed: trashDone.filter((id) => after.has(id) && !trashAfter.has(id)),
    vanished: [...before.keys()].filter((id) => !after.has(id)).length,
  };
}
