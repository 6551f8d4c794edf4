import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import { FirestoreStore } from '../src/adapters/firestore/firestore-store.js';
import {
  aDecision,
  aRun,
  aSenderDecision,
  aUser,
  batchesOf,
  describeStoreContract,
  planned,
  someCounters,
} from './contract/store-contract.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';

/** The Store contract and Firestore's own limits, on Google's real Firestore emulator. */

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

/**
 * A client of an empty database of its own: the emulator keeps one per project id, so no test
 * waits for a reset of the others' documents (slow on a loaded machine).
 */
function freshDatabase(): Firestore {
  databases++;
  return createFirestore({ projectId: `store-${databases}`, emulatorHost: emulator.host });
}

describeStoreContract('FirestoreStore on the Firestore emulator', async () => {
  const client = freshDatabase();
  return { store: new FirestoreStore(client), close: () => client.terminate() };
});

describe('FirestoreStore documents', () => {
  let store: FirestoreStore;
  beforeEach(async () => {
    await db?.terminate();
    db = freshDatabase();
    store = new FirestoreStore(db, { counterShards: 4 });
  });

  const T0 = 1_700_000_000_000;
  const completion = (runId: string, batchNo: number) => ({
    runId,
    batchNo,
    decisions: [aDecision()],
    counters: someCounters({ processed: 3, trashed: 1 }),
    llm: { calls: 1, inputTokens: 10, outputTokens: 1, costUsd: 0.01 },
    now: T0,
  });

  it('keeps a batch of 500 ids and 500 decisions far below the 1 MiB document limit', async () => {
    const run = aRun();
    await store.createRun(run);
    const ids = Array.from({ length: 500 }, (_, i) => `18f${i.toString(16).padStart(13, '0')}`);
    await store.putBatches(run.id, [planned(0, ids)]);
    const decisions = ids.map((id) =>
      aDecision({ id, reason: 'promotions older than 30 days', sender: 'deals@shop.example' }),
    );
    await store.completeBatch({ ...completion(run.id, 0), decisions });
    const doc = await db.doc(`runs/${run.id}/batches/0`).get();
    const bytes = Buffer.byteLength(JSON.stringify(doc.data()));
    expect(bytes).toBeLessThan(128 * 1024);
  });

  it('never writes the run document when a batch completes, only the batch and one shard', async () => {
    const run = aRun({ status: 'DELETING', batchCount: 8 });
    await store.createRun(run);
    await store.putBatches(run.id, batchesOf(8));
    const before = (await db.doc(`runs/${run.id}`).get()).updateTime;
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => store.completeBatch(completion(run.id, i))),
    );

    expect((await db.doc(`runs/${run.id}`).get()).updateTime?.isEqual(before!)).toBe(true);
    const shards = await db.collection(`runs/${run.id}/shards`).get();
    expect(shards.docs.map((d) => d.id).sort()).toEqual(['0', '1', '2', '3']);
    expect(shards.docs.map((d) => d.get('batchesDone')).sort()).toEqual([1, 2, 2, 2]);
    expect(await store.getRun(run.id)).toMatchObject({
      status: 'DELETING',
      batchesDone: 7,
      counters: someCounters({ processed: 21, trashed: 7 }),
    });
  });

  it('folds the shards into the run when it is done, so a finished run reads as one document', async () => {
    const run = aRun({ status: 'PROCESSING' });
    await store.createRun(run);
    await store.putBatches(run.id, batchesOf(3));
    for (const batchNo of [0, 1, 2]) await store.completeBatch(completion(run.id, batchNo));
    const done = await store.finishPlanning(run.id, 3, 9, T0 + 5);
    expect(done).toMatchObject({ status: 'DONE', batchesDone: 3, counters: { listed: 9 } });

    expect((await db.doc(`runs/${run.id}`).get()).get('folded')).toBe(true);
    store.meter.reset();
    expect(await store.getRun(run.id)).toEqual(done);
    expect(store.meter.snapshot().reads).toBe(1);
  });

  it('counts the reads and writes it makes', async () => {
    const user = aUser();
    await store.putUser(user);
    await store.getUser(user.id);
    await store.getUser('nobody');
    expect(store.meter.snapshot()).toEqual({ reads: 2, writes: 1, deletes: 0 });
    await store.deleteUser(user.id);
    expect(store.meter.snapshot()).toMatchObject({ deletes: 1 });
  });

  it('counts the writes of a transaction retried under contention once, and its reads every time', async () => {
    const run = aRun({ status: 'PROCESSING' });
    await store.createRun(run);
    store.meter.reset();
    const appended = Array.from({ length: 8 }, (_, i) =>
      store.appendRunError(run.id, { at: T0 + i, message: `error ${i}` }),
    );
    await Promise.all(appended);
    const { reads, writes } = store.meter.snapshot();
    expect(writes).toBe(8);
    expect(reads).toBeGreaterThanOrEqual(8);
    expect((await store.getRun(run.id))?.errors).toHaveLength(8);
  });

  it('refuses to read back a run document that does not match its schema', async () => {
    const run = aRun();
    await store.createRun(run);
    await db.doc(`runs/${run.id}`).update({ 'base.counters.listed': 'many' });
    await expect(store.getRun(run.id)).rejects.toThrow(/run does not match/);
  });

  it('checks replied threads of a whole batch in at most 8 document reads', async () => {
    const user = aUser();
    const threads = Array.from({ length: 2_000 }, (_, i) => `thread-${i}`);
    await store.addRepliedThreads(user.id, threads);
    store.meter.reset();
    const asked = Array.from({ length: 500 }, (_, i) => `thread-${i * 7}`);
    const found = await store.repliedThreads(user.id, asked);
    expect(found.size).toBe(asked.filter((t) => Number(t.slice(7)) < 2_000).length);
    expect(store.meter.snapshot().reads).toBeLessThanOrEqual(8);

    store.meter.reset();
    await store.addRepliedThreads(user.id, threads.slice(0, 500));
    expect(store.meter.snapshot().writes).toBe(0);
  });

  it('keeps sender keys with dots, slashes and underscores apart', async () => {
    const userId = aUser().id;
    const keys = ['@bank.example', 'a/b@x.example', '__x__', '.', '..', 'a_b@x.example'];
    await store.putSenderDecisions(
      userId,
      keys.map((senderKey) => ({
        senderKey,
        action: 'keep' as const,
        reason: 'r',
        policyVersion: 1,
        decidedAt: T0,
      })),
    );
    const found = await store.getSenderDecisions(userId, keys);
    expect([...found.keys()].sort()).toEqual([...keys].sort());
  });

  it('saves the sender decisions of a put in one document and reads 200 senders in 7 queries', async () => {
    const userId = aUser().id;
    const decisions = Array.from({ length: 200 }, (_, n) =>
      aSenderDecision({ senderKey: `s${n}@tail.example`, decidedAt: T0 + n }),
    );
    store.meter.reset();
    await store.putSenderDecisions(userId, decisions);
    expect(store.meter.snapshot().writes).toBe(1);

    store.meter.reset();
    const found = await store.getSenderDecisions(
      userId,
      decisions.map((d) => d.senderKey),
    );
    expect(found.size).toBe(200);
    // ceil(200 / 30) queries, each finding the one set, and the probe for the old layout.
    expect(store.meter.snapshot().reads).toBe(8);
    store.meter.reset();
    expect(await store.listSenderDecisions(userId, 400)).toHaveLength(200);
    expect(store.meter.snapshot().reads).toBe(1);
  });

  it('still reads sender decisions written one document per sender, and lets newer ones replace them', async () => {
    const userId = aUser().id;
    const old = [
      aSenderDecision({ senderKey: 'news@shop.example', action: 'trash', decidedAt: T0 }),
      aSenderDecision({ senderKey: '@bank.example', action: 'keep', decidedAt: T0 + 1 }),
    ];
    // As the store wrote them before sender sets: users/{userId}/senders/{senderDocId}.
    for (const decision of old) {
      const id = encodeURIComponent(decision.senderKey).replace(
        /[._!~*'()]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
      await db.doc(`users/${userId}/senders/${id}`).set({ ...decision });
    }
    const keys = ['news@shop.example', '@bank.example', 'new@x.example'];
    expect(await store.getSenderDecisions(userId, keys)).toEqual(
      new Map([
        ['news@shop.example', old[0]],
        ['@bank.example', old[1]],
      ]),
    );
    expect(await store.listSenderDecisions(userId, 5)).toEqual([old[1], old[0]]);

    const newer = aSenderDecision({
      senderKey: 'news@shop.example',
      action: 'keep',
      decidedAt: T0 + 9,
    });
    await store.putSenderDecisions(userId, [newer]);
    expect((await store.getSenderDecisions(userId, keys)).get('news@shop.example')).toEqual(newer);
    expect(await store.listSenderDecisions(userId, 5)).toEqual([newer, old[1]]);
    expect(await store.listSenderDecisions(userId, 1)).toEqual([newer]);
  });
});
