import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import { FirestoreStore } from '../src/adapters/firestore/firestore-store.js';
import type { Task } from '../src/domain/ports.js';
import { RulesClassifier } from '../src/domain/rules-classifier.js';
import type { JobDeps } from '../src/jobs/job-deps.js';
import { planRun } from '../src/jobs/plan-run.js';
import { silentLogger } from '../src/log.js';
import { aDecision, aRun, aUser, someCounters } from './contract/store-contract.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';

/**
 * The end of planning and the count of the last batch meet on Firestore: each transaction may
 * read the other's document before the other writes it (a counter shard not yet created is
 * not locked), leaving a run DELETING with every batch counted. Each side reads the run again
 * after its own commit, so whichever comes second ends it.
 */

const T0 = Date.UTC(2026, 10, 1);
let emulator: FirestoreEmulator;
let db: Firestore;
let databases = 0;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
}, 90_000);
afterAll(async () => {
  await db?.terminate();
  await emulator?.stop();
}, 90_000);

let store: FirestoreStore;
beforeEach(async () => {
  await db?.terminate();
  databases++;
  db = createFirestore({ projectId: `plan-end-${databases}`, emulatorHost: emulator.host });
  store = new FirestoreStore(db);
});

const completion = (runId: string, batchNo: number) => ({
  runId,
  batchNo,
  decisions: [aDecision({ id: `m${batchNo}`, decision: 'keep' })],
  counters: someCounters({ processed: 1, kept: 1 }),
  llm: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
  now: T0,
});

/** A PROCESSING run of one user with `batches` pending batches of one message each. */
async function aPlannedRun(batches: number) {
  const user = aUser();
  await store.putUser(user);
  const run = aRun({ userId: user.id, status: 'PROCESSING', startedAt: T0, batchCount: null });
  await store.createRun(run);
  await store.putBatches(
    run.id,
    Array.from({ length: batches }, (_, batchNo) => ({
      batchNo,
      messageIds: [`m${batchNo}`],
      nextPageToken: batchNo === batches - 1 ? null : 'next',
      listedThrough: batchNo + 1,
    })),
  );
  return { user, run };
}

/** Deps whose queue collects; the mailbox and classifier are never needed here. */
function depsOver(tasks: Task[]): JobDeps {
  return {
    store,
    queue: { enqueue: async (task: Task) => void tasks.push(task) },
    clock: { now: () => T0 + 60_000 },
    ids: { runId: () => 'R'.repeat(22) },
    log: silentLogger,
    mailboxFor: async () => {
      throw new Error('no mailbox is opened');
    },
    classifierFor: async () => {
      throw new Error('no classifier is asked');
    },
    scanStrategy: 'by-message',
    watchTopic: undefined,
  };
}

/** The state the race leaves: planning ended (DELETING, batchCount set), every batch counted. */
async function leftDeleting(runId: string, batches: number) {
  for (let batchNo = 0; batchNo < batches; batchNo++) {
    const { run } = await store.completeBatch(completion(runId, batchNo));
    expect(run.status).toBe('PROCESSING');
  }
  await db
    .collection('runs')
    .doc(runId)
    .update({ status: 'DELETING', batchCount: batches, total: batches });
  const stuck = await store.getRun(runId);
  expect(stuck).toMatchObject({ status: 'DELETING', batchCount: batches, batchesDone: batches });
}

describe('the end of planning beside the last batch on Firestore', () => {
  it('lets one of the two see the run complete, whichever order their transactions take', async () => {
    for (let i = 0; i < 8; i++) {
      const { run } = await aPlannedRun(1);
      const [plan, counted] = await Promise.all([
        (async () => {
          const finished = await store.finishPlanning(run.id, 1, 1, T0);
          return { finished, after: await store.getRun(run.id) };
        })(),
        store.completeBatch(completion(run.id, 0)),
      ]);
      const seenComplete =
        counted.run.status === 'DONE' ||
        plan.finished?.status === 'DONE' ||
        (plan.after?.status === 'DELETING' && plan.after.batchesDone === 1);
      expect(seenComplete, `race ${i}`).toBe(true);
    }
  }, 60_000);

  it('a plan task retried on a run left DELETING with every batch counted ends it', async () => {
    const { user, run } = await aPlannedRun(2);
    await leftDeleting(run.id, 2);
    const tasks: Task[] = [];

    await planRun(depsOver(tasks), run.id);

    expect((await store.getRun(run.id))?.status).toBe('DONE');
    // A finished full scan goes on to its watch.
    expect(tasks.map((t) => t.name)).toEqual([`watch-${user.id}-${run.id}`]);
  });

  it('the plan task ends the run when planning ended without seeing the last batch counted', async () => {
    const { user, run } = await aPlannedRun(1);
    // finishPlanning as the race makes it: its transaction read the shards before the last
    // batch's count, which committed before it (and read the run before planning ended).
    let raced = false;
    const racing = new Proxy(store, {
      get(target, key, receiver) {
        if (key !== 'finishPlanning' || raced) return Reflect.get(target, key, receiver);
        return async (runId: string) => {
          raced = true;
          await leftDeleting(runId, 1);
          return target.getRun(runId);
        };
      },
    });
    const tasks: Task[] = [];
    const deps = { ...depsOver(tasks), store: racing };
    // Planning by message: one empty page, so the plan task goes straight to its end.
    deps.classifierFor = async () => new RulesClassifier();
    deps.mailboxFor = async () =>
      ({
        profile: async () => ({ historyId: '100', messagesTotal: 1 }),
        labels: async () => [],
        listIds: async () => ({ ids: [], nextPageToken: undefined }),
      }) as never;

    await planRun(deps, run.id);

    expect((await store.getRun(run.id))?.status).toBe('DONE');
    expect(tasks.map((t) => t.name)).toContain(`watch-${user.id}-${run.id}`);
  });
});
