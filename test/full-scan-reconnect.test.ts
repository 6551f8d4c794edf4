import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_TOKEN_HEADER } from '../src/local/local-task-caller.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

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

  it('fails the run with a reason the user can act on and asks for a new sign-in', async () => {
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
    const deadline = Date.now() + 60_000;
    while (run && !['DONE', 'FAILED'].includes(run.status) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = await service.store.getRun(runId);
    }
    expect(run?.status).toBe('FAILED');
    const api = (await (await client.get(`/api/runs/${runId}`)).json()) as {
      errors: { message: string }[];
    };
    expect(api.errors.map((e) => e.message).join(' ')).toMatch(/sign in again/i);
    expect((await service.store.getUser(run!.userId))?.needsReconnect).toBe(true);
    const dashboard = await (await client.get('/app')).text();
    expect(dashboard).toMatch(/sign in again/i);
    // Signing in again clears the flag and a new scan can start.
    await signIn(client);
    expect((await service.store.getUser(run!.userId))?.needsReconnect).toBe(false);
    const again = await client.post('/app/runs');
    expect(again.status).toBe(303);
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
