import type { MessageMeta } from '../../src/domain/message.js';
import type { BatchPlan, PlannedBatch, Run } from '../../src/domain/model.js';
import type { Mailbox, ProtectedSince, Task } from '../../src/domain/ports.js';
import { RulesClassifier } from '../../src/domain/rules-classifier.js';
import type { JobDeps } from '../../src/jobs/job-deps.js';
import { openDatabase } from '../../src/local/sqlite/open-database.js';
import { SqliteStore } from '../../src/local/sqlite/sqlite-store.js';
import { silentLogger } from '../../src/log.js';
import { aRun, aUser } from '../contract/store-contract.js';

/** The trash outbox's tests: batches of old list promotions, a recording Gmail, one run. */
/** The runs' start; the clock of `setup` begins a second later. */
export const STARTED = Date.UTC(2026, 10, 1);
const OLD = STARTED - 90 * 86_400_000;

/** An old list promotion the rules trash without reading. */
export const sample = (id: string, sender: string): MessageMeta => ({
  id,
  threadId: `t-${id}`,
  labelIds: ['CATEGORY_PROMOTIONS'],
  fromAddress: sender,
  fromName: 'Shop',
  subject: 'Sale',
  snippet: '',
  sizeEstimate: 1000,
  internalDate: OLD,
  listUnsubscribe: true,
  listId: null,
});

/** A batch of one list sender's old promotions: the rules trash it without reading. */
export function senderBatch(batchNo: number, count: number): PlannedBatch {
  const ids = Array.from({ length: count }, (_, i) => `b${batchNo}-m${i}`);
  const sender = `deals@shop${batchNo}.example`;
  const plan: BatchPlan = {
    kind: 'sender',
    facts: { protectedBy: null, category: 'promotions', important: false, old: true },
    threadIds: ids.map((id) => `t-${id}`),
    sender,
    samples: [sample(ids[0]!, sender)],
  };
  return { batchNo, messageIds: ids, nextPageToken: 'by-sender', listedThrough: 0, plan };
}

export interface FakeGmail {
  readonly mailbox: Mailbox;
  readonly trashCalls: string[][];
  failTrashOnce: boolean;
}

/** A Mailbox that records trash calls; `changed` is what protectedSince answers. */
export function fakeGmail(
  changed: ProtectedSince | 'expired',
  fresh: MessageMeta[] = [],
): FakeGmail {
  const unused = () => Promise.reject(new Error('not expected'));
  const gmail: FakeGmail = {
    trashCalls: [],
    failTrashOnce: false,
    mailbox: {
      profile: unused,
      headers: unused,
      labels: async () => [
        { id: 'STARRED', type: 'system' },
        { id: 'Label_1', type: 'user' },
      ],
      listIds: async () => ({ ids: [], nextPageToken: undefined }),
      labelsAdded: unused,
      getMetadata: async (ids) =>
        new Map(fresh.filter((m) => ids.includes(m.id)).map((m) => [m.id, m])),
      trash: async (ids) => {
        gmail.trashCalls.push([...ids]);
        if (gmail.failTrashOnce) {
          gmail.failTrashOnce = false;
          throw new Error('connection reset after the call went through');
        }
      },
      untrash: unused,
      history: unused,
      protectedSince: async () => changed,
      watch: unused,
      stop: unused,
    },
  };
  return gmail;
}

/** A user and one PROCESSING run of `kind` holding `batches`, on SQLite in memory. */
export async function setup(batches: PlannedBatch[], gmail: FakeGmail, kind: Run['kind'] = 'full') {
  const store = new SqliteStore(openDatabase(':memory:'));
  const user = aUser();
  await store.putUser(user);
  const run = aRun({
    userId: user.id,
    kind,
    status: 'PROCESSING',
    startedAt: STARTED,
    startHistoryId: '500',
  });
  await store.createRun(run);
  await store.putBatches(run.id, batches);
  const tasks: Task[] = [];
  const clock = { now: STARTED + 1000 };
  const deps = {
    store,
    queue: { enqueue: async (task: Task) => void tasks.push(task) },
    classifierFor: async () => new RulesClassifier(),
    mailboxFor: async () => gmail.mailbox,
    clock: { now: () => clock.now },
    log: silentLogger,
    watchTopic: undefined,
  } as unknown as JobDeps;
  return { store, user, run, deps, tasks, clock };
}
