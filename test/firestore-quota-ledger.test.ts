import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import {
  FirestoreQuotaLedger,
  QUOTA_PROJECT,
  QUOTA_USERS,
} from '../src/adapters/firestore/firestore-quota-ledger.js';
import { describeQuotaLedgerContract, type LedgerSetup } from './contract/quota-ledger-contract.js';
import { describeSignInQuotaContract } from './contract/quota-ledger-sign-in-contract.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';

/** The QuotaLedger contract and the ledger's own costs, on Google's real Firestore emulator. */

let emulator: FirestoreEmulator;
let projects = 0;
const clients: Firestore[] = [];

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
}, 90_000);
afterAll(async () => {
  await Promise.all(clients.map((db) => db.terminate()));
  await emulator?.stop();
}, 90_000);

/** A database of its own (the emulator keeps one per project id): no reset between tests. */
function freshDatabase(): Firestore {
  projects++;
  const db = createFirestore({ projectId: `ledger-${projects}`, emulatorHost: emulator.host });
  clients.push(db);
  return db;
}

const fast = { leaseMs: 150, pollMs: 100, callTimeoutMs: 1_000, projectShards: 2 };

const openLedgers = async (setup: LedgerSetup) => {
  const firestore = freshDatabase();
  const ledgers = Array.from(
    { length: setup.instances },
    (_, i) => new FirestoreQuotaLedger({ firestore, ...setup, ...fast, holder: `instance-${i}` }),
  );
  return { ledgers, close: async () => void (await Promise.all(ledgers.map((l) => l.close()))) };
};

describeQuotaLedgerContract('FirestoreQuotaLedger on the Firestore emulator', openLedgers);
describeSignInQuotaContract('FirestoreQuotaLedger counting sign-ins', openLedgers);

describe('FirestoreQuotaLedger documents', () => {
  it('costs a few writes per chunk, not one per Gmail call', async () => {
    const firestore = freshDatabase();
    const ledger = new FirestoreQuotaLedger({
      firestore,
      userUnitsPerMinute: 6_000,
      projectUnitsPerMinute: 1_200_000,
      ...fast,
      leaseMs: 10_000,
    });
    const userDoc = firestore.collection(QUOTA_USERS).doc('user-a');
    const writes: string[] = [];
    const stop = userDoc.onSnapshot((snapshot) => {
      if (snapshot.updateTime) writes.push(snapshot.updateTime.toDate().toISOString());
    });
    // 100 messages.list calls: 500 units, inside one user chunk of 2,000.
    for (let i = 0; i < 100; i++) await ledger.run('user-a', 5, async () => {});
    await ledger.close();
    stop();
    const snapshot = await userDoc.get();
    expect(Object.values(snapshot.get('entries') as Record<string, { units: number }>)).toEqual([
      expect.objectContaining({ units: 500 }),
    ]);
    // One reservation and one settlement at most, never a hundred.
    expect(new Set(writes).size).toBeLessThanOrEqual(2);
  });

  it('spreads the project budget over its shards and records expiry for the TTL policy', async () => {
    const firestore = freshDatabase();
    const ledgers = Array.from(
      { length: 4 },
      (_, i) =>
        new FirestoreQuotaLedger({
          firestore,
          userUnitsPerMinute: 6_000,
          projectUnitsPerMinute: 40_000,
          ...fast,
          projectShards: 4,
          holder: `instance-${i}`,
        }),
    );
    await Promise.all(
      ledgers.map(async (ledger, i) => {
        for (let n = 0; n < 20; n++) await ledger.run(`user-${i}`, 100, async () => {});
      }),
    );
    await Promise.all(ledgers.map((ledger) => ledger.close()));
    const shards = await firestore.collection(QUOTA_PROJECT).get();
    const spent = shards.docs.flatMap((doc) =>
      Object.values(doc.get('entries') as Record<string, { units: number }>).map((e) => e.units),
    );
    expect(spent.reduce((a, b) => a + b, 0)).toBe(8_000);
    expect(shards.docs.every((doc) => doc.get('expireAt') !== undefined)).toBe(true);
    for (const doc of shards.docs) expect(Number(doc.id)).toBeLessThan(4);
  });
});
