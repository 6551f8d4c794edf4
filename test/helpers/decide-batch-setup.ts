import type { MessageMeta } from '../../src/domain/message.js';
import type { Batch, BatchPlan, Run, User } from '../../src/domain/model.js';
import { ZERO_USAGE } from '../../src/domain/model.js';
import type { Mailbox, ProtectedSince } from '../../src/domain/ports.js';
import { RulesClassifier } from '../../src/domain/rules-classifier.js';
import { decideBatch } from '../../src/jobs/decide-batch.js';
import type { JobDeps } from '../../src/jobs/job-deps.js';
import { guardBeforeTrash } from '../../src/jobs/trash-guard.js';
import { openDatabase } from '../../src/local/sqlite/open-database.js';
import { SqliteStore } from '../../src/local/sqlite/sqlite-store.js';
import { silentLogger } from '../../src/log.js';
import { aRun, aUser } from '../contract/store-contract.js';

/**
 * What the decideBatch tests share: a run started on a fixed day, a batch of the scan by
 * sender whose sample is an old promotion, and a mailbox that answers only what a test gives.
 */

/** When the run started. */
export const STARTED = Date.UTC(2026, 10, 1);
/** An old promotion from a list sender, the sample of the batch plan. */
export const sample: MessageMeta = {
  id: 'a1',
  threadId: 'ta1',
  labelIds: ['CATEGORY_PROMOTIONS'],
  fromAddress: 'deals@shop.example',
  fromName: 'Shop',
  subject: 'Sale',
  snippet: '',
  sizeEstimate: 2000,
  internalDate: STARTED - 90 * 86_400_000,
  listUnsubscribe: true,
  listId: '<deals.shop.example>',
};
/** A batch of the scan by sender: one sender, three conversations, judged by its sample. */
export const plan: BatchPlan = {
  kind: 'sender',
  facts: { protectedBy: null, category: 'promotions', important: false, old: true },
  threadIds: ['ta1', 'tb', 'tc'],
  sender: 'deals@shop.example',
  samples: [sample],
};

type Listed = { id: string; threadId: string };

/**
 * A mailbox whose history says `changed`, whose messages read as `fresh`, and whose exact
 * listings (by label id, or `in:snoozed`) give `listed`.
 */
export function fakeMailbox(
  changed: ProtectedSince | 'expired',
  fresh: MessageMeta[] = [],
  listed: Record<string, Listed[]> = {},
): Mailbox {
  const unused = () => Promise.reject(new Error('not expected'));
  return {
    profile: unused,
    labels: async () => [
      { id: 'INBOX', type: 'system' },
      { id: 'STARRED', type: 'system' },
      { id: 'YELLOW_STAR', type: 'system' },
      { id: 'Label_1', type: 'user' },
    ],
    listIds: async (query) => ({
      ids: listed[query.labelIds?.[0] ?? query.q ?? ''] ?? [],
      nextPageToken: undefined,
    }),
    headers: unused,
    getMetadata: async (ids) =>
      new Map(fresh.filter((m) => ids.includes(m.id)).map((m) => [m.id, m])),
    trash: unused,
    untrash: unused,
    history: unused,
    labelsAdded: unused,
    protectedSince: async () => changed,
    watch: unused,
    stop: unused,
  };
}

/** As the batch task does: decisions first, then the last check before Trash. */
export async function decideThenGuard(
  deps: JobDeps,
  run: Run,
  user: User,
  mailbox: Mailbox,
  batch: Batch,
) {
  const decided = await decideBatch(deps, run, user, mailbox, batch);
  return {
    ...decided,
    decisions: await guardBeforeTrash(deps, run, user, mailbox, decided.decisions),
  };
}

/** A user, their run and its first batch (planned as `plan`), over an in-memory store. */
export async function setup() {
  const store = new SqliteStore(openDatabase(':memory:'));
  const user = aUser();
  await store.putUser(user);
  const run = aRun({ userId: user.id, startedAt: STARTED, startHistoryId: '500' });
  const deps = {
    store,
    classifierFor: async () => new RulesClassifier(),
    clock: { now: () => STARTED },
    log: silentLogger,
  } as unknown as JobDeps;
  const batch: Batch = {
    runId: run.id,
    batchNo: 0,
    messageIds: ['a1', 'b', 'c'],
    nextPageToken: null,
    listedThrough: 3,
    status: 'pending',
    decisions: [],
    llm: ZERO_USAGE,
    plan,
  };
  return { deps, user, run, batch };
}
