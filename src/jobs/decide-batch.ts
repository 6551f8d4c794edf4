import { decide } from '../domain/decide.js';
import type { MessageMeta } from '../domain/message.js';
import {
  type Batch,
  type LlmUsage,
  type MessageDecision,
  type Run,
  type User,
  ZERO_USAGE,
} from '../domain/model.js';
import type { Classifier, ClassifierAnswer, Mailbox } from '../domain/ports.js';
import { protectionReason } from '../domain/protection.js';
import type { JobDeps } from './job-deps.js';
import { knownMetadata } from './known-metadata.js';

export interface BatchDecisions {
  readonly decisions: MessageDecision[];
  readonly llm: LlmUsage;
}

/**
 * The decisions for a batch: from its messages' metadata (read from Gmail, or known from the
 * scan by sender's search facts), the protection rules first, then the classifier. Batches
 * of a scan by sender are checked against what changed in Gmail since the run started.
 */
export async function decideBatch(
  deps: JobDeps,
  run: Run,
  user: User,
  mailbox: Mailbox,
  batch: Batch,
): Promise<BatchDecisions> {
  const plan = batch.plan;
  if (plan?.kind === 'protected') {
    const decisions = batch.messageIds.map(
      (id): MessageDecision => ({
        id,
        decision: 'protected',
        reason: plan.reason,
        sender: null,
        bytes: 0,
      }),
    );
    return { decisions, llm: ZERO_USAGE };
  }
  // First: a classifier that cannot work (a rejected OpenAI key) throws before quota is spent.
  const classifier = await deps.classifierFor(user);
  const known =
    plan?.kind === 'facts' || plan?.kind === 'sender'
      ? knownMetadata(plan, batch.messageIds, run, user)
      : undefined;
  const metadata = known ?? (await mailbox.getMetadata(batch.messageIds));
  const result = await decideMessages(deps, run, user, classifier, batch.messageIds, metadata);
  if (!plan) return result;
  const decisions = await guardChangesSinceStart(deps, run, mailbox, metadata, result.decisions);
  return { ...result, decisions };
}

export async function decideMessages(
  deps: JobDeps,
  run: Run,
  user: User,
  classifier: Classifier,
  ids: readonly string[],
  metadata: ReadonlyMap<string, MessageMeta>,
): Promise<BatchDecisions> {
  const threadIds = [...new Set([...metadata.values()].map((m) => m.threadId))];
  const ctx = {
    keepSenders: user.policy.keepSenders,
    repliedThreads: await deps.store.repliedThreads(user.id, threadIds),
  };
  // Only what no rule protects goes to the classifier: protected mail costs no tokens.
  const candidates: MessageMeta[] = [...metadata.values()].filter(
    (m) =>
      protectionReason(m, ctx) === null &&
      !m.labelIds.includes('TRASH') &&
      !m.labelIds.includes('SPAM'),
  );
  let answers: ReadonlyMap<string, ClassifierAnswer> = new Map();
  let llm: LlmUsage = ZERO_USAGE;
  if (candidates.length > 0) {
    ({ answers, usage: llm } = await classifier.classify({
      userId: user.id,
      policy: user.policy,
      messages: candidates,
      // One moment for the whole run, so every batch judges age the same way.
      now: run.startedAt ?? deps.clock.now(),
    }));
  }
  return { decisions: decide(ids, metadata, answers, ctx), llm };
}

/**
 * A scan by sender decides from search results that may be minutes old: before anything is
 * trashed, messages starred, labelled or replied to since the run started are protected after
 * all. When Gmail no longer has that history, the trash candidates are read and checked again.
 */
async function guardChangesSinceStart(
  deps: JobDeps,
  run: Run,
  mailbox: Mailbox,
  metadata: ReadonlyMap<string, MessageMeta>,
  decisions: MessageDecision[],
): Promise<MessageDecision[]> {
  const trash = decisions.filter((d) => d.decision === 'trash');
  if (trash.length === 0 || !run.startHistoryId) return decisions;
  const changed = await mailbox.protectedSince(run.startHistoryId);
  let protectNow: (d: MessageDecision) => boolean;
  if (changed === 'expired') {
    const fresh = await mailbox.getMetadata(trash.map((d) => d.id));
    const replied = await deps.store.repliedThreads(
      run.userId,
      [...fresh.values()].map((m) => m.threadId),
    );
    protectNow = (d) => {
      const m = fresh.get(d.id);
      return !m || protectionReason(m, { keepSenders: [], repliedThreads: replied }) !== null;
    };
  } else {
    await deps.store.addRepliedThreads(run.userId, [...changed.threadIds]);
    protectNow = (d) =>
      changed.messageIds.has(d.id) || changed.threadIds.has(metadata.get(d.id)?.threadId ?? '');
  }
  return decisions.map((d) =>
    d.decision === 'trash' && protectNow(d)
      ? { ...d, decision: 'protected', reason: 'changed since the scan started' }
      : d,
  );
}
