import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATUSES } from '../src/domain/model.js';
import { RECONNECTED_MESSAGE, RUN_PAUSE_MESSAGES } from '../src/domain/run-pauses.js';
import type { RunView } from '../src/http/run-view.js';
import { TASK_TOKEN_HEADER } from '../src/local/local-task-caller.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';
import { auditRun } from './reliability/mailbox-truth.js';

const OWNER = 'revoked@example.com';

describe('a full scan whose Google grant is revoked mid-run', () => {
  let google: RunningGoogle;
  let started: StartedService;

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 2_000, seed: 5 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    started = await startLocalService(google, { env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000' } });
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await google?.close();
  });

  it('pauses the run with a reason the user can act on, then a new sign-in resumes it to the end', async () => {
    const { client, service } = started;
    await signIn(client);
    await client.post('/app/openai-key', { rulesOnly: '1' });
    google.google.faults.inject({ kind: 'latency', ms: 3 });
    const start = await client.post('/app/runs');
    const runId = start.headers.get('location')!.replace('/runs/', '');
    let run = await service.store.getRun(runId);
    while (run && run.counters.processed === 0 && run.status !== 'DONE') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      run = await service.store.getRun(runId);
    }
    google.google.oauth.revokeAccount(OWNER);
    const paused = await waitFor(async () => {
      const view = (await (await client.get(`/api/runs/${runId}`)).json()) as RunView;
      return view.paused || view.status === 'DONE' ? view : undefined;
    }, 'the run to pause');
    // The revocation came while batches were left: the run waits, it does not fail.
    expect(paused.paused).toBe(true);
    expect(['PROCESSING', 'DELETING']).toContain(paused.status);
    expect(paused.errors.at(-1)?.message).toBe(RUN_PAUSE_MESSAGES.google_access);
    expect(paused.errors.at(-1)?.message).toMatch(
      /Google access was revoked or expired: sign in again/,
    );
    expect((await service.store.getUser(run!.userId))?.needsReconnect).toBe(true);
    const dashboard = await (await client.get('/app')).text();
    expect(dashboard).toMatch(/sign in again/i);
    // While the user is away the run holds no task and stays as it is.
    await service.queue.idle();
    expect(service.queue.counts()).toMatchObject({ pending: 0, running: 0 });
    const waiting = await service.store.getRun(runId);
    expect(waiting?.status).toBe(paused.status);
    expect(waiting?.errors.at(-1)?.message).toBe(RUN_PAUSE_MESSAGES.google_access);

    // Signing in again clears the flag and the run goes on from where it stopped.
    google.google.faults.clear();
    await signIn(client);
    expect((await service.store.getUser(run!.userId))?.needsReconnect).toBe(false);
    const done = await waitFor(async () => {
      const current = await service.store.getRun(runId);
      return current && FINAL_STATUSES.includes(current.status) ? current : undefined;
    }, 'the resumed run to end');
    expect(done.status).toBe('DONE');
    expect(done.errors.map((e) => e.message)).toContain(RECONNECTED_MESSAGE);
    const batches = await service.store.listBatches(runId);
    expect(auditRun(done, batches)).toMatchObject({
      duplicates: [],
      badBatches: [],
      unfinishedBatches: [],
      counterErrors: [],
    });
    // Every message outside Spam and Trash when the scan began was decided, once.
    const decided = new Set(batches.flatMap((b) => b.decisions.map((d) => d.id)));
    expect(decided.size).toBe(done.counters.processed);
    expect(done.counters.processed).toBe(done.total);
    expect((await client.post('/app/runs')).status).toBe(303);
  }, 90_000);

  it('keeps refresh tokens encrypted at rest and the address out of the database', async () => {
    const db = new DatabaseSync(join(started.dataDir, 'clean-that-up.db'), { readOnly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM users').all());
    db.close();
    expect(dump).not.toContain(OWNER);
    expect(dump).not.toMatch(/1\/\/[A-Za-z0-9_-]{10,}/);
    expect(dump).toMatch(/"refresh_token":"v1\./);
  });

  it('refuses task calls from anyone but the queue', async () => {
    const forged = await fetch(`${started.url}/tasks/plan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TASK_TOKEN_HEADER]: 'guess' },
      body: JSON.stringify({ runId: 'AAAAAAAAAAAAAAAAAAAAAA' }),
    });
    expect(forged.status).toBe(403);
    const bare = await fetch(`${started.url}/tasks/batch`, { method: 'POST', body: '{}' });
    expect(bare.status).toBe(403);
  });
});
