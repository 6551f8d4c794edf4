import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaDayOf } from '../src/domain/quota-day.js';
import { Random } from '../src/local/google/random.js';
import { HttpClient } from './helpers/http-client.js';
import { type StartedService, startLocalService } from './helpers/local-service.js';
import { disposable, inTrash, waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const EARLY = 'early@example.com';
const LATE = 'late@example.com';

/**
 * Gmail's 80 M units a project per day, made small through GMAIL_PROJECT_UNITS_PER_DAY: a
 * full scan that does not fit what is left of the day waits in line until Pacific midnight,
 * says so, and starts when the day turns, while ongoing cleanup goes on meanwhile.
 */
describe("full scans under the day's Gmail budget", () => {
  let google: RunningGoogle;
  let started: StartedService;
  // The service's clock (runs, queue, quota ledger) moves on when the test turns the day.
  let shift = 0;
  const clock = { now: () => Date.now() + shift };
  const rng = new Random(17);
  const clients = new Map<string, HttpClient>();

  const runOf = (location: string | null) => {
    expect(location).toMatch(/^\/runs\/[A-Za-z0-9_-]{22}$/);
    return location!.replace('/runs/', '');
  };
  const apiRun = async (runId: string) =>
    (await (await started.client.get(`/api/runs/${runId}`)).json()) as Record<string, unknown>;
  const signInAs = async (email: string) => {
    const client = new HttpClient(started.url);
    const begin = await client.get('/auth/google');
    const authorize = new URL(begin.headers.get('location')!);
    authorize.searchParams.set('login_hint', email);
    await client.follow(authorize.toString());
    await client.post('/app/openai-key', { rulesOnly: '1' });
    const userId = google.google.account(email).sub;
    const user = (await started.service.store.getUser(userId))!;
    await started.service.store.updateUser(userId, { policy: { ...user.policy, minAgeDays: 0 } });
    clients.set(email, client);
    return client;
  };

  beforeAll(async () => {
    google = await startSimulatedGoogle([
      { email: EARLY, mailbox: { size: 300, seed: 3 } },
      { email: LATE, mailbox: { size: 300, seed: 4 } },
    ]);
    started = await startLocalService(google, {
      clock,
      timing: { clock, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
      // Each 300-message scan by sender is estimated at 1,250 units: one fits, two do not.
      env: { GMAIL_PROJECT_UNITS_PER_DAY: '1500', GMAIL_USER_UNITS_PER_MINUTE: '1000000' },
    });
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await google?.close();
  });

  let lateRunId: string;
  let startsAt: number;

  it('runs the first full scan of the day at once', async () => {
    const client = await signInAs(EARLY);
    const runId = runOf((await client.post('/app/runs')).headers.get('location'));
    const run = await waitFor(async () => {
      const current = await started.service.store.getRun(runId);
      return current?.status === 'DONE' ? current : undefined;
    }, 'the first scan');
    expect(run.counters.processed).toBe(run.total);
    await waitFor(
      async () => (await started.service.store.getUser(run.userId))?.cursor ?? undefined,
      'the first user cursor',
    );
  }, 60_000);

  it('keeps a scan that does not fit the rest of the day QUEUED, with its start time in plain words', async () => {
    const client = await signInAs(LATE);
    lateRunId = runOf((await client.post('/app/runs')).headers.get('location'));
    const waiting = await waitFor(async () => {
      const run = await apiRun(lateRunId);
      return run.startsAt ? run : undefined;
    }, 'the planned start');
    startsAt = quotaDayOf(clock.now()).endsAt;
    expect(waiting).toMatchObject({
      status: 'QUEUED',
      startedAt: null,
      startsAt: new Date(startsAt).toISOString(),
      processed: 0,
    });
    const at = new Date(startsAt).toISOString();
    const when = `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;
    const status = await (await client.get(`/runs/${lateRunId}`)).text();
    expect(status).toMatch(/Waiting in line for Gmail(&#39;|')s daily quota/);
    expect(status).toContain(when);
    const dashboard = await (await client.get('/app')).text();
    expect(dashboard).toContain(`it starts at ${when}`);
  }, 60_000);

  it('still cleans new mail of a scanned mailbox while the scan waits', async () => {
    const junk = disposable(rng, EARLY);
    google.google.deliver(EARLY, junk);
    const answer = await clients.get(EARLY)!.post('/app/sync');
    const syncId = runOf(answer.headers.get('location'));
    await waitFor(async () => {
      const run = await started.service.store.getRun(syncId);
      return run?.status === 'DONE' ? run : undefined;
    }, 'the sync');
    await waitFor(
      () => inTrash(google, EARLY, [junk.id]) || undefined,
      'the junk in Trash',
      30_000,
    );
    expect((await apiRun(lateRunId)).status).toBe('QUEUED');
  }, 60_000);

  it('starts the waiting scan when the Pacific day turns, and finishes it', async () => {
    shift += startsAt - clock.now() + 1_000;
    const done = await waitFor(async () => {
      const run = await started.service.store.getRun(lateRunId);
      return run?.status === 'DONE' ? run : undefined;
    }, 'the late scan');
    expect(done.startedAt).toBeGreaterThanOrEqual(startsAt);
    expect(done.counters.processed).toBe(done.total);
    expect(done.total).toBeGreaterThan(0);
    expect((await apiRun(lateRunId)).startsAt).toBeNull();
  }, 60_000);
});
