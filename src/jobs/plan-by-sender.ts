import {
  type BatchPlan,
  FINAL_STATUSES,
  type LlmUsage,
  type PackedPart,
  type Run,
  type User,
  ZERO_USAGE,
} from '../domain/model.js';
import { type PartVerdict, safePartDecision } from '../domain/part-decisions.js';
import type { Classifier, Mailbox } from '../domain/ports.js';
import {
  CONVERSATION_REASONS,
  type ConversationMark,
  strongestMark,
} from '../domain/protection.js';
import { type Partition, scanPartitions } from '../domain/scan-partitions.js';
import { enqueueBatchIfReady, saveOwnBatch } from './batch-chain.js';
import { correspondence } from './correspondents.js';
import { plannedKeys } from './decide-packed.js';
import { discoverSenders, type Listed, listAll } from './discover-senders.js';
import type { JobDeps } from './job-deps.js';
import { once } from './read-once.js';
import { listSizeBuckets, withSizes } from './size-buckets.js';
import { flushIfStale } from './trash-outbox.js';

const BATCH_SIZE = 500;

type PartPlanOf = (chunk: readonly Listed[]) => PackedPart['plan'];

/**
 * The plan of a scan by sender. Gmail search lists the mailbox as disjoint parts (see
 * scan-partitions.ts) at 5 units per 500 ids. Protected parts, and parts the classifier
 * decides from their search facts alone, become batches nobody reads. In the parts where the
 * sender matters, one message is read, its sender's mail in that part is listed with `from:`,
 * a second sample is read to check the listing, and the sender's mail becomes one batch. What
 * cannot be attributed is read message by message. Every id lands in exactly one batch.
 *
 * A retried plan lists again and skips the ids that earlier attempts already saved. When two
 * plan tasks of one run overlap (a duplicate delivery, or a retry while a slow first attempt
 * still runs), the one that finds another's batch where it meant to save its own stops.
 */
export async function planBySender(
  deps: JobDeps,
  run: Run,
  user: User,
  mailbox: Mailbox,
  classifier: Classifier,
): Promise<{ batchCount: number; listed: number } | undefined> {
  const needsSender = classifier.scanBySender?.needsSender ?? (() => true);
  // The last batch first: a batch another attempt saves in between is then one this attempt
  // collides with (and stops at), never one it would save a second time.
  const last = await deps.store.lastBatch(run.id);
  const saved = new Set((await deps.store.listBatches(run.id)).flatMap((b) => b.messageIds));
  let batchNo = last ? last.batchNo + 1 : 0;
  let listed = last?.listedThrough ?? 0;
  if (last) await enqueueBatchIfReady(deps, run.id, last.batchNo);

  /** What asking about the parts cost, until a batch carries it to the run. */
  let unbilled: LlmUsage = ZERO_USAGE;

  /** Saves one batch; false when another plan task of the run holds its batch number. */
  const saveBatch = async (chunk: readonly Listed[], unbilledPlan: BatchPlan): Promise<boolean> => {
    listed += chunk.length;
    const messageIds = chunk.map((m) => m.id);
    const plan = unbilled.calls > 0 ? billed(unbilledPlan, unbilled) : unbilledPlan;
    const batch = {
      batchNo,
      messageIds,
      nextPageToken: 'by-sender',
      listedThrough: listed,
      plan,
    };
    if (!(await saveOwnBatch(deps, run.id, batch))) return false;
    if (plan !== unbilledPlan) unbilled = ZERO_USAGE;
    for (const id of messageIds) saved.add(id);
    await enqueueBatchIfReady(deps, run.id, batchNo);
    batchNo++;
    return true;
  };

  const allMarks = once(() => deps.store.allMarkedThreads(user.id));
  // A packed batch carries the marks of the conversations it names, so that its task does not
  // read the user's marks again (batch-memory.ts).
  const marksOf = async (packedParts: readonly PackedPart[]) => {
    const all = await allMarks();
    const [threadIds] = plannedKeys({ kind: 'packed', parts: packedParts });
    const marks: Record<string, ConversationMark> = {};
    for (const id of threadIds) {
      const mark = strongestMark(all.get(id) ?? []);
      if (mark) marks[id] = mark;
    }
    return marks;
  };

  // Small parts, of one search partition or of several, wait here until 500 ids share one
  // batch: one task, one set of store writes and one queued trash entry for many senders.
  // Each part keeps its own plan.
  let pack: { ids: Listed[]; plan: PartPlanOf }[] = [];
  let packed = 0;
  const flushPack = async (): Promise<boolean> => {
    const parts = pack;
    pack = [];
    packed = 0;
    if (parts.length === 0) return true;
    if (parts.length === 1) return saveBatch(parts[0]!.ids, parts[0]!.plan(parts[0]!.ids));
    const packedParts = parts.map((p) => ({ count: p.ids.length, plan: p.plan(p.ids) }));
    const plan: BatchPlan = {
      kind: 'packed',
      parts: packedParts,
      marks: await marksOf(packedParts),
    };
    return saveBatch(
      parts.flatMap((p) => p.ids),
      plan,
    );
  };

  /**
   * Saves the ids: whole batches of 500 on their own, the rest packed with other small parts.
   * False when another plan task of the run holds a batch number.
   */
  const save = async (ids: readonly Listed[], unsized: PartPlanOf): Promise<boolean> => {
    // Mail decided without being read counts its size bucket's bytes, not a sample's.
    const plan = withSizes(unsized, sizes);
    let start = 0;
    for (; ids.length - start >= BATCH_SIZE; start += BATCH_SIZE) {
      const chunk = ids.slice(start, start + BATCH_SIZE);
      if (!(await saveBatch(chunk, plan(chunk)))) return false;
    }
    const rest = ids.slice(start);
    if (rest.length === 0) return true;
    if (packed + rest.length > BATCH_SIZE && !(await flushPack())) return false;
    const last = pack.at(-1);
    // Messages read one by one need no part each: one read part holds them all.
    if (last && last.plan(last.ids).kind === 'read' && plan(rest).kind === 'read') {
      last.ids.push(...rest);
    } else pack.push({ ids: [...rest], plan });
    packed += rest.length;
    return true;
  };

  const sizes = await listSizeBuckets(mailbox);
  const partitions = scanPartitions({
    keepSenders: user.policy.keepSenders,
    startedAt: run.startedAt ?? deps.clock.now(),
    minAgeDays: user.policy.minAgeDays,
  });
  const parts = await decideParts(deps, run, user, classifier, partitions);
  unbilled = parts.usage;
  // A person's mail spans the parts (important or not, old or recent): looked at once a plan.
  // Every part asks about conversations of its own: the user's marks are read once for all,
  // as they stood once the plan remembered its listings (the check before Trash looks at
  // what is marked later).
  const people = correspondence(deps, user, mailbox, allMarks);
  for (const partition of partitions) {
    const current = await deps.store.getRunState(run.id);
    if (!current || FINAL_STATUSES.includes(current.status)) return undefined;
    const listedHere = (await listAll(mailbox, partition.query)).filter((m) => !saved.has(m.id));
    if (listedHere.length === 0) continue;
    const { facts } = partition;
    const members = facts.protectedBy
      ? listedHere
      : await setMarkedAside(await allMarks(), listedHere, save);
    if (members === undefined) return undefined;
    if (members.length === 0) continue;
    let own: boolean;
    if (facts.protectedBy) {
      own = await save(members, () => ({ kind: 'protected', reason: facts.protectedBy! }));
    } else if (classifier.scanBySender?.mustRead?.(facts)) {
      own = await save(members, () => ({ kind: 'read' }));
    } else if (parts.decisions.has(partition.key)) {
      const { action, reason } = parts.decisions.get(partition.key)!;
      own = await save(members, (chunk) => ({
        kind: 'known',
        facts,
        threadIds: chunk.map((m) => m.threadId),
        action,
        reason: `by its Gmail category: ${reason}`,
      }));
    } else if (!needsSender(facts)) {
      own = await save(members, (chunk) => ({
        kind: 'facts',
        facts,
        threadIds: chunk.map((m) => m.threadId),
      }));
    } else {
      const readsText = classifier.scanBySender?.readsText === true;
      own = await discoverSenders(mailbox, partition, members, save, {
        readsText,
        seed: `${user.id} ${run.startHistoryId}`,
        correspondence: readsText ? people : undefined,
      });
    }
    // The pack goes on into the next part: every batch but the last is full (each batch
    // costs its documents and its task however few ids it holds).
    if (!own) return undefined;
    await flushIfStale(deps, user.id);
  }
  if (!(await flushPack())) return undefined;
  return { batchCount: batchNo, listed };
}

/**
 * The parts the classifier decides from their search facts alone (those where the sender
 * would matter otherwise), as far as the protection of important and Primary mail allows.
 */
async function decideParts(
  deps: JobDeps,
  run: Run,
  user: User,
  classifier: Classifier,
  partitions: readonly Partition[],
): Promise<{ decisions: Map<string, PartVerdict>; usage: LlmUsage }> {
  const scan = classifier.scanBySender;
  const decisions = new Map<string, PartVerdict>();
  // A review shows its proposal sender by sender, for the owner to keep some: a part decided
  // whole would show as one group without a sender, so a review looks at the senders.
  if (!scan?.decideParts || run.mode === 'review') return { decisions, usage: ZERO_USAGE };
  const open = partitions.filter(
    ({ facts }) => !facts.protectedBy && !scan.mustRead?.(facts) && scan.needsSender(facts),
  );
  const asked = await scan.decideParts({
    userId: user.id,
    policy: user.policy,
    parts: open.map(({ key, facts }) => ({ key, facts })),
    now: run.startedAt ?? deps.clock.now(),
  });
  for (const { key, facts } of open) {
    const decision = safePartDecision(facts, asked.decisions.get(key));
    if (decision) decisions.set(key, decision);
  }
  return { decisions, usage: asked.usage };
}

/** The plan with a cost it carries to the run, on its first part that can carry one. */
function billed(plan: BatchPlan, usage: LlmUsage): BatchPlan {
  if (plan.kind === 'known' || plan.kind === 'sender') return { ...plan, llm: usage };
  if (plan.kind !== 'packed') return plan;
  const at = plan.parts.findIndex((p) => p.plan.kind === 'known' || p.plan.kind === 'sender');
  if (at === -1) return plan;
  const parts = plan.parts.map((p, i) =>
    i === at ? { ...p, plan: billed(p.plan, usage) as PackedPart['plan'] } : p,
  );
  return { ...plan, parts };
}

/**
 * Saves the members of marked conversations (remembered by the plan's exact label listings)
 * as protected batches, one per mark; returns the rest, or undefined when another plan task
 * holds a batch number.
 */
async function setMarkedAside(
  marks: ReadonlyMap<string, ReadonlySet<ConversationMark>>,
  members: readonly Listed[],
  save: (ids: readonly Listed[], plan: PartPlanOf) => Promise<boolean>,
): Promise<Listed[] | undefined> {
  const rest: Listed[] = [];
  const marked = new Map<ConversationMark, Listed[]>();
  for (const m of members) {
    const given = marks.get(m.threadId);
    const mark = given && strongestMark([...given]);
    if (!mark) rest.push(m);
    else if (marked.has(mark)) marked.get(mark)!.push(m);
    else marked.set(mark, [m]);
  }
  for (const [mark, ids] of marked) {
    const reason = CONVERSATION_REASONS[mark];
    if (!(await save(ids, () => ({ kind: 'protected', reason })))) return undefined;
  }
  return rest;
}
