import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../src/domain/model.js';
import { markOfLabels } from '../src/domain/protection.js';
import type { SimMessage } from '../src/local/google/sim-types.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { markedConversations } from './helpers/marked-conversations.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'scan@example.com';
const SIZE = 5_000;

async function waitForFinalRun(
  started: StartedService,
  runId: string,
  timeoutMs = 120_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = await started.service.store.getRun(runId);
    if (run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe('a full scan on the embedded defaults', () => {
  let google: RunningGoogle;
  let started: StartedService;
  let before: SimMessage[];

  beforeAll(async () => {
    google = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: SIZE, seed: 2026 } }], {
      userUnitsPerMinute: 10_000_000,
    });
    before = [...google.google.account(OWNER).messagesAfter(undefined)].map((m) => ({
      ...m,
      labelIds: [...m.labelIds],
    }));
    // Message by message, so bytes are exact; test/scan-by-sender.test.ts covers the other way.
    started = await startLocalService(google, {
      env: { GMAIL_USER_UNITS_PER_MINUTE: '1000000', SCAN_STRATEGY: 'by-message' },
    });
  }, 60_000);
  afterAll(async () => {
    await started?.close();
    await google?.close();
  });

  it('signs in, starts a scan over HTTP, and trashes exactly what the decisions record', async () => {
    const { client } = started;
    const landing = await signIn(client);
    expect(landing.status).toBe(200);
    expect(new URL(landing.url || `${started.url}/app/openai-key`).pathname).toBe(
      '/app/openai-key',
    );

    const rulesOnly = await client.post('/app/openai-key', { rulesOnly: '1' });
    expect(rulesOnly.status).toBe(303);
    const start = await client.post('/app/runs');
    expect(start.status).toBe(303);
    const runId = start.headers.get('location')!.replace('/runs/', '');

    const run = await waitForFinalRun(started, runId);
    expect(run.status).toBe('DONE');

    const api = (await (await client.get(`/api/runs/${runId}`)).json()) as Record<string, unknown>;
    const inScope = before.filter(
      (m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'),
    );
    expect(api).toMatchObject({
      id: runId,
      kind: 'full',
      status: 'DONE',
      total: inScope.length,
      remaining: 0,
    });
    expect(api.processed).toBe(inScope.length);

    const batches = await started.service.store.listBatches(runId);
    const decisions = batches.flatMap((b) => b.decisions);
    expect(decisions).toHaveLength(inScope.length);
    expect(new Set(decisions.map((d) => d.id)).size).toBe(inScope.length);

    const account = google.google.account(OWNER);
    const inTrash = new Set(
      before.map((m) => m.id).filter((id) => account.message(id)?.labelIds.includes('TRASH')),
    );
    const decidedTrash = new Set(decisions.filter((d) => d.decision === 'trash').map((d) => d.id));
    expect(inTrash).toEqual(decidedTrash);
    expect(inTrash.size).toBeGreaterThan(0);
    expect(api.trashed).toBe(inTrash.size);
    expect(api.bytesTrashed).toBe(
      before.filter((m) => inTrash.has(m.id)).reduce((n, m) => n + m.sizeEstimate, 0),
    );

    // The simulator's truth: every message of a conversation holding a marked message.
    const marked = markedConversations(inScope);
    const protectedMessages = inScope.filter((m) => marked.has(m.threadId));
    expect(protectedMessages.some((m) => markOfLabels(m.labelIds) === undefined)).toBe(true);
    for (const message of protectedMessages) expect(inTrash.has(message.id)).toBe(false);
    expect(api.protected).toBe(
      protectedMessages.filter((m) => !m.labelIds.includes('SPAM')).length,
    );
    expect(google.google.stats.snapshot(OWNER).rateLimited).toBe(0);
  }, 120_000);

  it('answers 404 for an unknown run id and refuses a run started from another site', async () => {
    expect((await started.client.get('/api/runs/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await started.client.get('/api/runs/..%2F..%2Fetc')).status).toBe(404);
    const forged = await started.client.post('/app/runs', {}, 'https://evil.example');
    expect(forged.status).toBe(403);
  });
});
