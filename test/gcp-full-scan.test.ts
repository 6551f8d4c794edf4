import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import { perThousand } from '../src/adapters/firestore/firestore-meter.js';
import { FirestoreStore } from '../src/adapters/firestore/firestore-store.js';
import type { Run } from '../src/domain/model.js';
import type { Store } from '../src/domain/ports.js';
import { generateMailbox } from '../src/local/google/mailbox-generator.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';
import {
  PUSH_ACCOUNT,
  type StartedGcpService,
  startGcpService,
  TASKS_INVOKER,
} from './helpers/gcp-service.js';
import type { HttpClient } from './helpers/http-client.js';
import { signIn, startLocalService } from './helpers/local-service.js';
import { mintOidcToken } from './helpers/oidc-tokens.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

const OWNER = 'scan@example.com';
const SIZE = 5_000;
/** Both modes scan the same mailbox: same seed, same instant. */
const NOW = Date.now();
const mailbox = () => generateMailbox({ seed: 2026, size: SIZE, ownerEmail: OWNER, now: NOW });
const googleFor = () =>
  startSimulatedGoogle([{ email: OWNER, mailbox: mailbox() }], { userUnitsPerMinute: 10_000_000 });
const QUOTA = { GMAIL_USER_UNITS_PER_MINUTE: '1000000' };

interface Scan {
  readonly runId: string;
  readonly run: Run;
  readonly api: Record<string, unknown>;
  /** message id -> "decision: reason", ages in days left out (a day may pass between runs) */
  readonly decisions: Map<string, string>;
  readonly trashed: Set<string>;
}

async function waitForFinalRun(store: Store, runId: string): Promise<Run> {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    const run = await store.getRun(runId);
    if (run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`run ${runId} did not finish`);
}

/** Signs in, chooses the rules only, starts a full scan over HTTP and waits for its end. */
async function startScan(client: HttpClient): Promise<string> {
  expect((await signIn(client)).status).toBe(200);
  expect((await client.post('/app/openai-key', { rulesOnly: '1' })).status).toBe(303);
  const start = await client.post('/app/runs');
  expect(start.status).toBe(303);
  return start.headers.get('location')!.replace('/runs/', '');
}

async function resultOf(
  client: HttpClient,
  store: Store,
  runId: string,
  google: RunningGoogle,
): Promise<Scan> {
  const run = await waitForFinalRun(store, runId);
  const api = (await (await client.get(`/api/runs/${runId}`)).json()) as Record<string, unknown>;
  const decisions = (await store.listBatches(runId)).flatMap((b) => b.decisions);
  const account = google.google.account(OWNER);
  const trashed = new Set(
    mailbox()
      .messages.map((m) => m.id)
      .filter((id) => account.message(id)?.labelIds.includes('TRASH')),
  );
  return {
    runId,
    run,
    api,
    decisions: new Map(
      decisions.map((d) => [d.id, `${d.decision}: ${d.reason.replace(/\d+ days old/, 'old')}`]),
    ),
    trashed,
  };
}

describe('a full scan in gcp mode: Firestore emulator, Cloud Tasks and Secret Manager over gRPC', () => {
  let emulator: FirestoreEmulator;
  let db: Firestore;
  let google: RunningGoogle;
  let gcp: StartedGcpService;
  let local: Scan;

  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
    db = createFirestore({ projectId: emulator.project, emulatorHost: emulator.host });

    const localGoogle = await googleFor();
    const started = await startLocalService(localGoogle, { env: QUOTA });
    try {
      const runId = await startScan(started.client);
      local = await resultOf(started.client, started.service.store, runId, localGoogle);
    } finally {
      await started.close();
      await localGoogle.close();
    }

    google = await googleFor();
    gcp = await startGcpService(google, db, QUOTA);
  }, 180_000);
  afterAll(async () => {
    await gcp?.close();
    await google?.close();
    await db?.terminate();
    await emulator?.stop();
  }, 60_000);

  it('trashes exactly what local mode trashes, with the same decisions and counts', async () => {
    const { client, service } = gcp;
    const observer = new FirestoreStore(db);
    expect((await signIn(client)).status).toBe(200);
    service.store.meter.reset();
    const runId = await startScan(client);
    await waitForFinalRun(observer, runId);
    const ops = service.store.meter.snapshot();
    const result = await resultOf(client, observer, runId, google);

    expect(local.run.status).toBe('DONE');
    expect(result.run.status).toBe('DONE');
    expect(result.trashed.size).toBeGreaterThan(0);
    expect(result.trashed).toEqual(local.trashed);
    expect(result.decisions).toEqual(local.decisions);
    const counts = (scan: Scan) => {
      const { id: _id, scheduledAt, startedAt, endedAt, ...rest } = scan.api;
      return { ...rest, timed: [scheduledAt, startedAt, endedAt].every((t) => t !== null) };
    };
    expect(counts(result)).toEqual(counts(local));
    expect(result.api).toMatchObject({ status: 'DONE', processed: result.decisions.size });

    const processed = result.run.counters.processed;
    const batches = result.run.batchCount ?? 0;
    const rate = perThousand(ops, processed);
    process.stdout.write(
      `Firestore per 1,000 messages scanned: ${rate.reads} reads, ${rate.writes} writes ` +
        `(${ops.reads} reads, ${ops.writes} writes for ${processed} messages in ${batches} ` +
        `batches: ${(ops.reads / batches).toFixed(1)} reads, ` +
        `${(ops.writes / batches).toFixed(1)} writes a batch)\n`,
    );
    // Batches are packed (up to 500 ids of many senders each), so costs are guarded per 1,000
    // messages: today's figures (65 reads, 12.3 writes) with a small margin, so a regression
    // shows.
    expect(rate.writes).toBeLessThan(14.5);
    expect(rate.reads).toBeLessThan(76);
  }, 180_000);

  it('delivered every task through Cloud Tasks as a named HTTP task with an OIDC token', async () => {
    const { requests, attempts } = gcp.tasks;
    // The run is DONE once its trash is flushed; the watch task it then queues may still be on
    // its way.
    const deliveredNames = () =>
      new Set(attempts.filter((a) => a.status === 204).map((a) => a.name));
    for (
      let i = 0;
      i < 100 && deliveredNames().size < new Set(requests.map((r) => r.task.name)).size;
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(requests.length).toBeGreaterThan(1);
    for (const { task } of requests) {
      expect(task.name).toMatch(/\/tasks\/[0-9a-f]{32}-/);
      expect(task.httpRequest.url.startsWith(`${gcp.url}/tasks/`)).toBe(true);
      expect(task.httpRequest.oidcToken).toEqual({
        serviceAccountEmail: TASKS_INVOKER,
        audience: gcp.url,
      });
    }
    const delivered = new Set(attempts.filter((a) => a.status === 204).map((a) => a.name));
    expect(delivered.size).toBe(new Set(requests.map((r) => r.task.name)).size);
    expect(attempts.filter((a) => a.status === 401 || a.status === 403)).toEqual([]);
  });

  it('lets only Google-signed callers reach /tasks, /push and /cron, each its own account', async () => {
    const key = google.google.oauth.signingKey;
    const bearer = (audience: string, email: string) =>
      `Bearer ${mintOidcToken(key, { audience, email })}`;
    const post = async (path: string, body: unknown, authorization?: string) => {
      const response = await fetch(`${gcp.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify(body),
      });
      await response.body?.cancel();
      return response.status;
    };

    const plan = { runId: 'AAAAAAAAAAAAAAAAAAAAAA' };
    expect(await post('/tasks/plan', plan)).toBe(403);
    expect(await post('/tasks/plan', plan, bearer('https://x.example', TASKS_INVOKER))).toBe(403);
    expect(await post('/tasks/plan', plan, bearer(gcp.url, PUSH_ACCOUNT))).toBe(403);
    expect(await post('/tasks/plan', plan, bearer(gcp.url, TASKS_INVOKER))).toBe(204);

    const data = { emailAddress: 'nobody@example.com', historyId: '1' };
    const envelope = {
      message: {
        data: Buffer.from(JSON.stringify(data)).toString('base64'),
        messageId: '1',
        publishTime: new Date().toISOString(),
      },
      subscription: 'projects/demo-clean-that-up/subscriptions/gmail-push',
    };
    const pushAudience = `${gcp.url}/push/gmail`;
    expect(await post('/push/gmail', envelope)).toBe(401);
    expect(await post('/push/gmail', envelope, bearer(gcp.url, TASKS_INVOKER))).toBe(403);
    expect(await post('/push/gmail', envelope, bearer(pushAudience, PUSH_ACCOUNT))).toBe(204);

    expect(await post('/cron/renew-watches', {})).toBe(403);
    expect(await post('/cron/renew-watches', {}, bearer(pushAudience, PUSH_ACCOUNT))).toBe(403);
    expect(await post('/cron/renew-watches', {}, bearer(gcp.url, TASKS_INVOKER))).toBe(200);
  });
});
