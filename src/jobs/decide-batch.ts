import { alwaysTrashAnswers } from '../domain/always-trash.js';
import { decide } from '../domain/decide.js';
import { rulesSenderDecisions } from '../domain/known-senders.js';
import type { MessageMeta } from '../domain/message.js';
import {
  type Batch,
  type BatchPlan,
  type LlmUsage,
  type MessageDecision,
  type RunState,
  type User,
  ZERO_USAGE,
} from '../domain/model.js';
import type { Classifier, ClassifierAnswer, Mailbox } from '../domain/ports.js';
import { protectionReason } from '../domain/protection.js';
import { addUsage } from '../domain/run-progress.js';
import { isBulk, isCurrent, senderKey } from '../domain/sender-groups.js';
import { protectionContext } from './conversation-marks.js';
import { keptCorrespondent } from './correspondents.js';
import { decidePacked } from './decide-packed.js';
import type { JobDeps } from './job-deps.js';
import { knownMetadata } from './known-metadata.js';
import { logUndecided } from './undecided-log.js';

export interface BatchDecisions {
  readonly decisions: MessageDecision[];
  llm: LlmUsage;
  /** The thread of each message whose metadata was known, for the check before trashing. */
  threads?: ReadonlyMap<string, string>;
}

/** How many sender batches one LLM call decides ahead (the classifier's senders per call). */
const SENDERS_AHEAD = 40;

/**
 * Batches of a scan by sender hold one sender each, so deciding each sender in its own batch
 * would cost one LLM call per sender. When a sender is not decided yet, the samples of this
 * batch and of the next sender batches go to the classifier together: it decides (and
 * caches) them all in one call, and the following batches find their decision cached.
 */
async function decideSendersAhead(
  deps: JobDeps,
  run: RunState,
  user: User,
  classifier: Classifier,
  batch: Batch,
): Promise<LlmUsage> {
  const messages: MessageMeta[] = [];
  for (let no = batch.batchNo; no < batch.batchNo + SENDERS_AHEAD; no++) {
    const next = no === batch.batchNo ? batch : await deps.store.getBatch(run.id, no);
    if (!next) break;
    const plan = next.plan;
    // Bulk senders only: the others get no sender decision, and asking would judge samples twice.
    if (
      plan?.kind === 'sender' &&
      next.status === 'pending' &&
      plan.samples[0] &&
      isBulk(plan.samples[0])
    ) {
      messages.push(...plan.samples);
    }
  }
  if (messages.length === 0) return ZERO_USAGE;
  const { usage } = await classifier.classify({
    userId: user.id,
    policy: user.policy,
    messages,
    now: run.startedAt ?? deps.clock.now(),
    senders: deps.store,
  });
  return usage;
}

/**
 * The decisions for a batch: from its messages' metadata (read from Gmail, or known from the
 * scan by sender's search facts), the protection rules first, then the classifier. Trash
 * candidates are checked against what was marked in Gmail since when they are flushed.
 */
export async function decideBatch(
  deps: JobDeps,
  run: RunState,
  user: User,
  mailbox: Mailbox,
  batch: Batch,
): Promise<BatchDecisions> {
  const plan = batch.plan;
  if (plan?.kind === 'packed')
    return decidePacked(deps, run, user, mailbox, batch, plan, decideBatch);
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
    plan?.kind === 'facts' || plan?.kind === 'sender' || plan?.kind === 'known'
      ? knownMetadata(plan, batch.messageIds, run, user)
      : undefined;
  const readsText = classifier.scanBySender?.readsText === true;
  let result: BatchDecisions;
  if (plan?.kind === 'sender' && known && readsText) {
    result = await decideBySenderDecision(deps, run, user, mailbox, classifier, batch, plan, known);
  } else if (plan?.kind === 'known' && known && readsText) {
    // The cached decisions the search matched answer for every message, as for a sender batch.
    const answer = { action: plan.action, reason: `LLM, ${plan.reason}` };
    const answers = new Map(batch.messageIds.map((id) => [id, answer]));
    result = await decideMessages(deps, run, user, classifier, batch.messageIds, known, answers);
  } else {
    const metadata = known ?? (await mailbox.getMetadata(batch.messageIds));
    result = await decideMessages(deps, run, user, classifier, batch.messageIds, metadata);
    if (!readsText) await rememberRuleSenders(deps, user, known ? [] : [...metadata.values()]);
  }
  if (!readsText && plan?.kind === 'sender') await rememberRuleSenders(deps, user, plan.samples);
  // The plan's question about the parts, carried by one batch so the run counts it once.
  if ((plan?.kind === 'known' || plan?.kind === 'sender') && plan.llm) {
    result.llm = addUsage(result.llm, plan.llm);
  }
  await logUndecided(deps, run, result.decisions);
  // What was marked since the run started is checked when the trash is flushed
  // (trash-outbox.ts, with trash-guard.ts), once for many batches.
  const threads = new Map(
    result.decisions.flatMap((d) => (d.threadId ? [[d.id, d.threadId] as const] : [])),
  );
  return { ...result, threads };
}

/**
 * A sender's batch for a classifier that reads text: the samples are judged (which decides and
 * caches the sender), then the unread mail follows the sender's decision where the classifier
 * would have applied it to every message; otherwise every message is read and judged.
 */
async function decideBySenderDecision(
  deps: JobDeps,
  run: RunState,
  user: User,
  mailbox: Mailbox,
  classifier: Classifier,
  batch: Batch,
  plan: Extract<BatchPlan, { kind: 'sender' }>,
  known: ReadonlyMap<string, MessageMeta>,
): Promise<BatchDecisions> {
  const samples = new Map(plan.samples.map((s) => [s.id, s]));
  const [first] = plan.samples;
  const key = first ? senderKey(first) : '';
  const cached = first ? (await deps.store.getSenderDecisions(user.id, [key])).get(key) : undefined;
  // Only bulk senders get a sender decision; the others are read and judged one by one.
  const undecided = first !== undefined && isBulk(first) && !isCurrent(cached, user.policy);
  const ahead = undecided
    ? await decideSendersAhead(deps, run, user, classifier, batch)
    : ZERO_USAGE;
  const judged = await decideMessages(deps, run, user, classifier, [...samples.keys()], samples);
  judged.llm = addUsage(judged.llm, ahead);
  // What the classifier decided of a bulk sender while judging (a person gets no decision).
  const decision =
    first && isBulk(first)
      ? (await deps.store.getSenderDecisions(user.id, [key])).get(key)
      : undefined;
  const person =
    first && !isBulk(first)
      ? await keptCorrespondent(deps, user, plan, judged.decisions, cached)
      : undefined;
  const action = person
    ? 'keep'
    : first && isBulk(first) && decision && isCurrent(decision, user.policy)
      ? decision.action
      : 'mixed';
  // Important mail from a disposable sender is judged one by one, as the classifier does. The
  // samples were read and judged already: only the rest is read.
  if (action === 'mixed' || (action === 'trash' && plan.facts.important !== false)) {
    const own = new Set(batch.messageIds);
    const rest = batch.messageIds.filter((id) => !samples.has(id));
    const metadata = rest.length > 0 ? await mailbox.getMetadata(rest) : new Map();
    const all = await decideMessages(deps, run, user, classifier, rest, metadata);
    const byId = new Map(
      [...judged.decisions.filter((d) => own.has(d.id)), ...all.decisions].map((d) => [d.id, d]),
    );
    const decisions = batch.messageIds.flatMap((id) => byId.get(id) ?? []);
    return { decisions, llm: addUsage(judged.llm, all.llm) };
  }
  const answers = new Map<string, ClassifierAnswer>();
  const reason = person ? `LLM, ${person}` : `LLM, sender: ${decision?.reason ?? ''}`;
  for (const id of batch.messageIds) answers.set(id, { action, reason });
  for (const d of judged.decisions) {
    if (d.decision === 'trash' || d.decision === 'keep') {
      answers.set(d.id, { action: d.decision, reason: d.reason });
    }
  }
  const followed = await decideMessages(
    deps,
    run,
    user,
    classifier,
    batch.messageIds,
    known,
    answers,
  );
  return { decisions: followed.decisions, llm: judged.llm };
}

/** A well-formed answer that is a decision (not a failure). */
function decided(answer: ClassifierAnswer | undefined): boolean {
  return (
    answer !== undefined &&
    !answer.failed &&
    typeof answer.reason === 'string' &&
    (answer.action === 'trash' || answer.action === 'keep')
  );
}

export async function decideMessages(
  deps: JobDeps,
  run: RunState,
  user: User,
  classifier: Classifier,
  ids: readonly string[],
  metadata: ReadonlyMap<string, MessageMeta>,
  /** Answers already known (a sender's decision): the classifier is not asked. */
  given?: ReadonlyMap<string, ClassifierAnswer>,
): Promise<BatchDecisions> {
  const ctx = await protectionContext(deps.store, user, metadata.values());
  // Only what no rule protects goes to the classifier: protected mail costs no tokens.
  const candidates: MessageMeta[] = [...metadata.values()].filter(
    (m) =>
      protectionReason(m, ctx) === null &&
      !m.labelIds.includes('TRASH') &&
      !m.labelIds.includes('SPAM'),
  );
  // Senders the owner unsubscribed from go to Trash without a question to the classifier.
  const forced = alwaysTrashAnswers(candidates, user.policy);
  const asked = candidates.filter((m) => !forced.has(m.id));
  let answers: ReadonlyMap<string, ClassifierAnswer> = given ?? new Map();
  let llm: LlmUsage = ZERO_USAGE;
  // One moment for the whole run, so every batch judges age the same way.
  const classify = (messages: readonly MessageMeta[]) =>
    classifier.classify({
      userId: user.id,
      policy: user.policy,
      messages,
      now: run.startedAt ?? deps.clock.now(),
      // The batch's store: in a packed batch, its memory serves and keeps the sender cache.
      senders: deps.store,
    });
  if (!given && asked.length > 0) {
    ({ answers, usage: llm } = await classify(asked));
    // A decision an error prevented is asked for once more, with the batch, before it counts
    // as failed: a keep is never what an error leaves behind.
    const undecided = asked.filter((m) => !decided(answers.get(m.id)));
    if (undecided.length > 0) {
      const again = await classify(undecided);
      llm = addUsage(llm, again.usage);
      const merged = new Map(answers);
      for (const m of undecided) {
        const answer = again.answers.get(m.id);
        if (answer) merged.set(m.id, answer);
      }
      answers = merged;
    }
  }
  if (forced.size > 0) answers = new Map([...answers, ...forced]);
  // The owner's minimum age holds whatever the classifier or a cached sender decision says:
  // too-young mail is kept, for the coming-of-age pass. Senders the owner unsubscribed from
  // are their explicit choice, at any age.
  const minAge = {
    days: user.policy.minAgeDays,
    now: run.startedAt ?? deps.clock.now(),
    exempt: new Set(forced.keys()),
  };
  return { decisions: decide(ids, metadata, answers, ctx, minAge), llm };
}

/** What the rules saw of the senders of mail read in full, for later mail to go without reads. */
async function rememberRuleSenders(
  deps: JobDeps,
  user: User,
  read: readonly MessageMeta[],
): Promise<void> {
  const decisions = rulesSenderDecisions(read, user.policy, deps.clock.now());
  if (decisions.length > 0) await deps.store.putSenderDecisions(user.id, decisions);
}
