import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Run, ZERO_COUNTERS, ZERO_USAGE } from '../src/domain/model.js';
import { Random } from '../src/local/google/random.js';
import {
  disposable,
  inTrash,
  type ScannedUser,
  scannedService,
  waitFor,
} from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'impatient@example.com';

/** "Check new mail now" on the dashboard: an on-demand sync, here without any Pub/Sub topic. */
describe('checking new mail on demand', () => {
  let google: RunningGoogle;
  let scanned: ScannedUser;
  const rng = new Random(77);
  const store = () => scanned.started.service.store;
  const client = () => scanned.started.client;
  const incremental = async () =>
    (await store().listRuns(scanned.user.id, 100)).filter((r) => r.kind === 'incremental');

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 200, seed: 5 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    scanned = await scannedService(google, OWNER, {});
  }, 60_000);
  afterAll(async () => {
    await scanned?.started.close();
    await google?.close();
  });

  it('offers the check on the dashboard once the first scan is done', async () => {
    const page = await client().get('/app');
    const html = await page.text();
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

  it('looks at new mail at once and leads to the run, which trashes the disposable mail', async () => {
    const junk = [disposable(rng, OWNER), disposable(rng, OWNER)];
    for (const message of junk) google.google.deliver(OWNER, message);
    const answer = await client().post('/app/sync', {});
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location') ?? '';
    expect(location).toMatch(/^\/runs\/[A-Za-z0-9_-]{22}$/);
    const runId = location.replace('/runs/', '');
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
    const status = await client().get(location);
    expect(status.status).toBe(200);
    expect(await status.text()).toContain('Automatic cleanup');
  });

  it('refuses politely while a run is under way, and changes nothing', async () => {
    const busy: Run = {
      id: 'BusyRunBusyRunBusyRun0',
      userId: scanned.user.id,
      kind: 'incremental',
      mode: 'auto',
      status: 'PROCESSING',
      scheduledAt: Date.now(),
      startedAt: Date.now(),
      endedAt: null,
      startHistoryId: '1',
      total: 1,
      batchCount: null,
      batchesDone: 0,
      counters: ZERO_COUNTERS,
      llm: ZERO_USAGE,
      errors: [],
      appliedAt: null,
    };
    await store().createRun(busy);
    const message = disposable(rng, OWNER);
    google.google.deliver(OWNER, message);
    const cursor = (await store().getUser(scanned.user.id))?.cursor;
    const before = (await incremental()).length;

    const answer = await client().post('/app/sync', {});
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/app?notice=sync-busy');
    expect(await incremental()).toHaveLength(before);
    expect((await store().getUser(scanned.user.id))?.cursor).toEqual(cursor);
    expect(google.google.account(OWNER).message(message.id)?.labelIds).not.toContain('TRASH');
    await store().updateRun(busy.id, ['PROCESSING'], { status: 'CANCELLED', endedAt: Date.now() });
  });

  it('refuses a post from another origin', async () => {
    const cursor = (await store().getUser(scanned.user.id))?.cursor;
    const answer = await client().post('/app/sync', {}, 'https://evil.example');
    expect(answer.status).toBe(403);
    expect((await store().getUser(scanned.user.id))?.cursor).toEqual(cursor);
  });
});
