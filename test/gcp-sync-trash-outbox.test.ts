import type { Firestore } from '@google-cloud/firestore';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import type { GmailMethod } from '../src/domain/gmail-quota.js';
import { TASK_PATHS } from '../src/jobs/job-deps.js';
import { Random } from '../src/local/google/random.js';
import type { SimSender } from '../src/local/google/sim-types.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';
import {
  disposableSender,
  type GcpScannedUser,
  gcpScannedService,
  promotionFrom,
  pushNotification,
} from './helpers/gcp-ongoing-cleanup.js';
import { inTrash, waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'gcp-outbox@example.com';

/**
 * A sync's trash waits in the user's outbox and goes from a delayed Cloud Tasks task
 * (src/jobs/trash-outbox.ts): in MODE=gcp over the Firestore emulator, a burst's syncs share one
 * batchModify, and a flush task Cloud Tasks would not take at first is sent again.
 */
describe('the trash outbox of syncs in gcp mode', () => {
  let emulator: FirestoreEmulator;
  let db: Firestore;
  let google: RunningGoogle;
  let scanned: GcpScannedUser;
  let sender: SimSender;
  const rng = new Random(1603);
  const store = () => scanned.gcp.service.store;
  const calls = (method: GmailMethod) =>
    google.google.stats.snapshot(OWNER).methods[method]?.calls ?? 0;
  const incremental = async () =>
    (await store().listRuns(scanned.user.id, 100)).filter((r) => r.kind === 'incremental');

  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
    db = createFirestore({ projectId: emulator.project, emulatorHost: emulator.host });
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 200, seed: 17 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    scanned = await gcpScannedService(google, db, OWNER);
    sender = await disposableSender(google, scanned.gcp, OWNER, scanned.user.id);
  }, 180_000);
  afterAll(async () => {
    await scanned?.gcp.close();
    await google?.close();
    await db?.terminate();
    await emulator?.stop();
  }, 60_000);

  /** Runs started from now on, newest first. */
  async function newRuns() {
    await scanned.gcp.tasks.idle(60_000);
    const earlier = new Set((await incremental()).map((r) => r.id));
    return async () => (await incremental()).filter((r) => !earlier.has(r.id));
  }

  it('sends the trash of two syncs a few seconds apart to Gmail in one batchModify from the last delayed flush', async () => {
    const since = await newRuns();
    google.google.stats.reset();

    const rounds = [0, 1].map(() => [0, 1].map(() => promotionFrom(rng, OWNER, sender)));
    for (const [i, round] of rounds.entries()) {
      for (const m of round) google.google.deliver(OWNER, m);
      expect(await pushNotification(google, scanned.gcp, OWNER, `burst-${i}`)).toBe(204);
      // The next mail comes once this sync has queued its trash, before its flush is due.
      await waitFor(
        async () => {
          const runs = await since();
          return runs.length > i && runs[0]?.status === 'DELETING' ? true : undefined;
        },
        `sync ${i + 1} to queue its trash`,
      );
    }
    await waitFor(async () => {
      const runs = await since();
      return runs.length === 2 && runs.every((r) => r.status === 'DONE') ? true : undefined;
    }, 'both syncs to end');
    await scanned.gcp.tasks.idle(60_000);

    const runs = await since();
    expect(runs.map((r) => r.counters.trashed)).toEqual([2, 2]);
    expect(
      inTrash(
        google,
        OWNER,
        rounds.flat().map((m) => m.id),
      ),
    ).toBe(true);
    expect(calls('users.messages.batchModify')).toBe(1);
    expect(calls('users.messages.trash')).toBe(0);
  }, 120_000);

  it('sends the delayed flush again when Cloud Tasks refuses it at first, and counts the trash once', async () => {
    const since = await newRuns();
    google.google.stats.reset();
    // Every attempt the queue makes in the batch task (it tries a named task three times).
    scanned.gcp.tasks.failNextTo(TASK_PATHS.flushTrash, status.UNAVAILABLE, 3);
    const junk = [promotionFrom(rng, OWNER, sender), promotionFrom(rng, OWNER, sender)];
    for (const m of junk) google.google.deliver(OWNER, m);

    expect(await pushNotification(google, scanned.gcp, OWNER, 'refused-flush')).toBe(204);
    const run = await waitFor(async () => {
      const [latest] = await since();
      return latest?.status === 'DONE' ? latest : undefined;
    }, 'the sync run');
    await scanned.gcp.tasks.idle(60_000);

    // The batch task failed and Cloud Tasks delivered it again, which queued the flush.
    const batchAttempts = scanned.gcp.tasks.attempts.filter((a) => a.path === TASK_PATHS.batch);
    expect(batchAttempts.some((a) => a.status >= 500)).toBe(true);
    expect(
      inTrash(
        google,
        OWNER,
        junk.map((m) => m.id),
      ),
    ).toBe(true);
    expect(await since()).toHaveLength(1);
    expect((await store().getRun(run.id))?.counters).toMatchObject({ processed: 2, trashed: 2 });
    expect(await store().queuedTrash(scanned.user.id, 10)).toEqual([]);
  }, 120_000);
});
