import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import { Random } from '../src/local/google/random.js';
import type { SimSender } from '../src/local/google/sim-types.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';
import {
  disposableSender,
  type GcpScannedUser,
  gcpScannedService,
  promotionFrom,
} from './helpers/gcp-ongoing-cleanup.js';
import { inTrash, waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'gcp-impatient@example.com';

/**
 * "Check new mail now" in MODE=gcp (test/check-new-mail.test.ts does it locally): the signed-in
 * owner's `POST /app/sync` reads history at once, its batches and delayed flush go through
 * Cloud Tasks, and a second check while that run is under way is refused politely.
 */
describe('checking new mail on demand in gcp mode', () => {
  let emulator: FirestoreEmulator;
  let db: Firestore;
  let google: RunningGoogle;
  let scanned: GcpScannedUser;
  let sender: SimSender;
  const rng = new Random(78);
  const store = () => scanned.gcp.service.store;
  const client = () => scanned.gcp.client;
  const incremental = async () =>
    (await store().listRuns(scanned.user.id, 100)).filter((r) => r.kind === 'incremental');

  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
    db = createFirestore({ projectId: emulator.project, emulatorHost: emulator.host });
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 200, seed: 5 } }], {
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

  it('offers the check on the dashboard once the first scan is done', async () => {
    const html = await (await client().get('/app')).text();
    expect(html).toContain('action="/app/sync"');
    expect(html).toContain('Check new mail now');
  });

  it('says there is nothing new when no mail arrived, and starts no run', async () => {
    const before = (await incremental()).length;
    const answer = await client().post('/app/sync', {});
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/app?notice=sync-none');
    expect(await incremental()).toHaveLength(before);
    const page = await (await client().get('/app?notice=sync-none')).text();
    expect(page).toContain('No new mail to look at since the last check.');
  });

  it('starts a sync at once, shows it on its status page, and refuses a second one politely while it runs', async () => {
    const junk = [promotionFrom(rng, OWNER, sender), promotionFrom(rng, OWNER, sender)];
    for (const m of junk) google.google.deliver(OWNER, m);
    const before = (await incremental()).length;

    const answer = await client().post('/app/sync', {});
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location') ?? '';
    expect(location).toMatch(/^\/runs\/[A-Za-z0-9_-]{22}$/);
    const runId = location.replace('/runs/', '');
    const status = await client().get(location);
    expect(status.status).toBe(200);
    expect(await status.text()).toContain('Automatic cleanup');

    // Its trash waits in the outbox for a quiet spell: the run is still under way.
    expect((await store().getRun(runId))?.status).not.toBe('DONE');
    const cursor = (await store().getUser(scanned.user.id))?.cursor;
    const again = await client().post('/app/sync', {});
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/app?notice=sync-busy');
    const page = await (await client().get('/app?notice=sync-busy')).text();
    expect(page).toContain('A run is under way');
    expect(await incremental()).toHaveLength(before + 1);
    expect((await store().getUser(scanned.user.id))?.cursor).toEqual(cursor);

    const run = await waitFor(async () => {
      const current = await store().getRun(runId);
      return current?.status === 'DONE' ? current : undefined;
    }, 'the on-demand run');
    expect(run).toMatchObject({ kind: 'incremental', total: 2 });
    expect(run.counters.trashed).toBe(2);
    expect(
      inTrash(
        google,
        OWNER,
        junk.map((m) => m.id),
      ),
    ).toBe(true);
  }, 60_000);

  it('refuses a post from another origin', async () => {
    const cursor = (await store().getUser(scanned.user.id))?.cursor;
    const answer = await client().post('/app/sync', {}, 'https://evil.example');
    expect(answer.status).toBe(403);
    expect((await store().getUser(scanned.user.id))?.cursor).toEqual(cursor);
  });

  it('answered every task Cloud Tasks delivered with a success, so none was tried again', async () => {
    await scanned.gcp.tasks.idle(60_000);
    const { attempts } = scanned.gcp.tasks;
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.filter((a) => a.status < 200 || a.status >= 300)).toEqual([]);
  });
});
