import type { Batch, BatchPlan, MessageDecision, RunState, User } from '../domain/model.js';
import { ZERO_USAGE } from '../domain/model.js';
import type { Mailbox } from '../domain/ports.js';
import { addUsage } from '../domain/run-progress.js';
import { isBulk, senderKey } from '../domain/sender-groups.js';
import { batchMemory } from './batch-memory.js';
import { coalesceClassifier } from './coalesced-classifier.js';
import type { BatchDecisions } from './decide-batch.js';
import type { JobDeps } from './job-deps.js';

type DecidePart = (
  deps: JobDeps,
  run: RunState,
  user: User,
  mailbox: Mailbox,
  batch: Batch,
) => Promise<BatchDecisions>;

/**
 * A packed batch: each part decided by its own plan. With a classifier that reads text, the
 * bulk senders of every part are decided first, together (the classifier asks about dozens of
 * senders a call and caches them), so each part then finds its sender decided.
 */
export async function decidePacked(
  deps: JobDeps,
  run: RunState,
  user: User,
  mailbox: Mailbox,
  batch: Batch,
  plan: Extract<BatchPlan, { kind: 'packed' }>,
  /** Decides one part as a batch of its own (decideBatch: passed in, as it calls this). */
  decidePart: DecidePart,
): Promise<BatchDecisions> {
  const classifier = await deps.classifierFor(user);
  // The marks and sender decisions the plan names are read once, together; what the classifier
  // decides goes to this memory too, so that no part reads it back (batch-memory.ts).
  const memory = await batchMemory(deps.store, user.id, ...plannedKeys(plan), plan.marks);
  let llm = ZERO_USAGE;
  if (classifier.scanBySender?.readsText) {
    const samples = plan.parts.flatMap(({ plan: p }) =>
      p.kind === 'sender' && p.samples[0] && isBulk(p.samples[0]) ? p.samples : [],
    );
    if (samples.length > 0) {
      try {
        ({ usage: llm } = await classifier.classify({
          userId: user.id,
          policy: user.policy,
          messages: samples,
          now: run.startedAt ?? deps.clock.now(),
          senders: memory.store,
        }));
      } catch (error) {
        // What was decided before a pause is kept: the retry reuses it.
        await memory.save();
        throw error;
      }
    }
  }
  // The parts are decided side by side so that what each must judge one by one (read mail,
  // mixed senders) goes to the classifier together, in full calls rather than one per part.
  const shared = coalesceClassifier(classifier, plan.parts.length);
  const sharedDeps: JobDeps = {
    ...deps,
    store: memory.store,
    classifierFor: async () => shared.classifier,
  };
  const starts = plan.parts.map((_, i) =>
    plan.parts.slice(0, i).reduce((sum, p) => sum + p.count, 0),
  );
  const results = await Promise.allSettled(
    plan.parts.map(async (part, i) => {
      const messageIds = batch.messageIds.slice(starts[i], starts[i]! + part.count);
      try {
        return await decidePart(sharedDeps, run, user, mailbox, {
          ...batch,
          messageIds,
          plan: part.plan,
        });
      } finally {
        shared.done();
      }
    }),
  );
  // Saved before any part's failure is thrown, and before anything of this batch is trashed.
  await memory.save();
  const decisions: MessageDecision[] = [];
  const threads = new Map<string, string>();
  for (const result of results) {
    // A part that failed fails the batch (retried whole), as it did when parts ran in turn.
    if (result.status === 'rejected') throw result.reason;
    decisions.push(...result.value.decisions);
    llm = addUsage(llm, result.value.llm);
    for (const [id, thread] of result.value.threads ?? []) threads.set(id, thread);
  }
  return { decisions, llm, threads };
}

/** The conversations and senders a packed batch's plan names, before anything is read. */
export function plannedKeys(plan: Extract<BatchPlan, { kind: 'packed' }>): [string[], string[]] {
  const threadIds: string[] = [];
  const senderKeys: string[] = [];
  for (const { plan: p } of plan.parts) {
    if ('threadIds' in p) threadIds.push(...p.threadIds);
    if (p.kind !== 'sender') continue;
    threadIds.push(...p.samples.map((s) => s.threadId));
    if (p.samples[0]) senderKeys.push(senderKey(p.samples[0]));
  }
  return [threadIds, senderKeys];
}
