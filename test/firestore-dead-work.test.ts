import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import { FirestoreDeadWork } from '../src/adapters/firestore/firestore-dead-work.js';
import { deadWork } from '../src/adapters/firestore/firestore-paths.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';

/** Dead tasks and dead-lettered notifications, recorded on Google's real Firestore emulator. */
let emulator: FirestoreEmulator;
let db: Firestore;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
  db = createFirestore({ projectId: 'dead-work', emulatorHost: emulator.host });
}, 90_000);
afterAll(async () => {
  await db?.terminate();
  await emulator?.stop();
}, 90_000);

describe('FirestoreDeadWork', () => {
  it('counts each dead task and push once, by path, within the window, with an expiry for TTL', async () => {
    const log = new FirestoreDeadWork(db);
    const base = { status: 503, attempts: 100 };
    await log.record({ ...base, source: 'task', key: 't-1', path: '/tasks/batch', at: 5_000 });
    await log.record({ ...base, source: 'task', key: 't-1', path: '/tasks/batch', at: 5_100 });
    await log.record({ ...base, source: 'task', key: 't-2', path: '/tasks/sync', at: 6_000 });
    await log.record({ ...base, source: 'push', key: 'm-1', path: '/push/gmail', at: 7_000 });
    await log.record({ ...base, source: 'task', key: 't-0', path: '/tasks/plan', at: 1_000 });
    expect(await log.countSince(2_000)).toEqual({
      since: 2_000,
      tasks: 2,
      pushes: 1,
      byPath: { '/tasks/batch': 1, '/tasks/sync': 1, '/push/gmail': 1 },
      truncated: false,
    });
    const stored = await deadWork(db).get();
    expect(stored.size).toBe(4);
    expect(stored.docs.every((doc) => doc.get('expireAt') !== undefined)).toBe(true);
  });
});
