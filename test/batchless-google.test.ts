import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from './helpers/listen.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { waitFor } from './helpers/ongoing-cleanup.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'no-batch@example.com';

/**
 * A Gmail stand-in that serves the API but not its batch path (404), as a test double or a
 * proxy may: a full scan reads call by call instead and ends DONE.
 */
describe('a full scan where the batch path is not served', () => {
  let google: RunningGoogle;
  let proxy: Listening;
  let started: StartedService;
  let batchRequests = 0;

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 300, seed: 31 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    proxy = await listen(async (request) => {
      if (new URL(request.url).pathname.startsWith('/batch/')) {
        batchRequests++;
        return new Response('Not Found', { status: 404 });
      }
      return google.google.app.fetch(request);
    });
    started = await startLocalService(google, {
      env: {
        GOOGLE_API_BASE_URL: proxy.url,
        SCAN_STRATEGY: 'by-message',
        GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await proxy?.close();
    await google?.close();
  });

  it('reads every message call by call and trashes the disposable ones', async () => {
    const { client, service } = started;
    const outside = [...google.google.account(OWNER).messagesAfter(undefined)].filter(
      (m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'),
    );
    await signIn(client);
    await client.post('/app/openai-key', { rulesOnly: '1' });
    const start = await client.post('/app/runs');
    const runId = start.headers.get('location')!.replace('/runs/', '');
    const run = await waitFor(async () => {
      const current = await service.store.getRun(runId);
      return current && ['DONE', 'FAILED'].includes(current.status) ? current : undefined;
    }, 'the full scan');

    expect(run.status).toBe('DONE');
    expect(run.counters.failed).toBe(0);
    expect(run.counters.trashed).toBeGreaterThan(0);
    const gets = google.google.stats.snapshot(OWNER).methods['users.messages.get']?.calls ?? 0;
    // Every message outside Spam and Trash decided, read one by one: the batch path was tried
    // once, then never again.
    expect(run.counters.processed).toBe(outside.length);
    expect(gets).toBeGreaterThanOrEqual(outside.length - run.counters.protected);
    expect(batchRequests).toBe(1);
  });
});
