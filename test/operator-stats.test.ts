import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../src/adapters/firestore/firestore-client.js';
import type { Run } from '../src/domain/model.js';
import type { Store } from '../src/domain/ports.js';
import { generateMailbox } from '../src/local/google/mailbox-generator.js';
import { type FirestoreEmulator, startFirestoreEmulator } from './helpers/emulators.js';
import { type StartedGcpService, startGcpService, TASKS_INVOKER } from './helpers/gcp-service.js';
import type { HttpClient } from './helpers/http-client.js';
import { type StartedService, signIn, startLocalService } from './helpers/local-service.js';
import { mintOidcToken } from './helpers/oidc-tokens.js';
import { type RunningGoogle, startSimulatedGoogle } from './helpers/simulated-google.js';

/** `GET /api/stats`: operators only, in both modes, with the figures of a finished scan. */

const OWNER = 'stats@example.com';
const OPERATOR = 'ops@example.com';
const TOKEN = 'operator-token-of-the-test-0123456789';
const QUOTA = { GMAIL_USER_UNITS_PER_MINUTE: '1000000' };

const googleFor = () =>
  startSimulatedGoogle(
    [
      {
        email: OWNER,
        mailbox: generateMailbox({ seed: 7, size: 300, ownerEmail: OWNER, now: Date.now() }),
      },
    ],
    { userUnitsPerMinute: 10_000_000 },
  );

async function scanToTheEnd(client: HttpClient, store: Store): Promise<Run> {
  expect((await signIn(client)).status).toBe(200);
  expect((await client.post('/app/openai-key', { rulesOnly: '1' })).status).toBe(303);
  const start = await client.post('/app/runs');
  const runId = start.headers.get('location')!.replace('/runs/', '');
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const run = await store.getRun(runId);
    if (run && ['DONE', 'FAILED'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the scan did not finish');
}

const stats = (url: string, authorization?: string) =>
  fetch(`${url}/api/stats`, authorization ? { headers: { authorization } } : {});

interface Figures {
  readonly users: Record<string, number>;
  readonly runs: {
    readonly byKind: Record<string, Record<string, number>>;
    readonly messagesDecided: number;
    readonly messagesTrashed: number;
    readonly oldestInProgress: unknown;
  };
  readonly gmail: Record<string, number> & {
    readonly today: { spent: number; committedToScans: number; budget: number };
  };
  readonly tasks: Record<string, number> | null;
  readonly deadWork: { tasks: number; pushes: number } | null;
}

/** What a finished full scan of one user must show. */
function expectFiguresOf(body: Figures, run: Run) {
  expect(body.users).toMatchObject({ total: 1, connected: 1, needingSignIn: 0 });
  expect(body.runs.byKind.full?.DONE).toBe(1);
  expect(body.runs.messagesDecided).toBe(run.counters.processed);
  expect(body.runs.messagesTrashed).toBe(run.counters.trashed);
  expect(body.runs.messagesDecided).toBeGreaterThan(0);
  expect(body.runs.oldestInProgress).toBeNull();
  expect(body.gmail.projectUnitsLastMinute).toBeGreaterThan(0);
  expect(body.gmail.userUnitsPerMinuteBudget).toBe(1_000_000);
  // The day: the scan spent units, and gave back what it was admitted with once done.
  expect(body.gmail.today).toMatchObject({ budget: 80_000_000, committedToScans: 0 });
  expect(body.gmail.today.spent).toBeGreaterThan(0);
  expect(JSON.stringify(body)).not.toContain(run.id);
  expect(JSON.stringify(body)).not.toContain(OWNER);
}

describe('GET /api/stats in local mode (Bearer OPERATOR_TOKEN)', () => {
  let google: RunningGoogle;
  let service: StartedService;
  let run: Run;
  beforeAll(async () => {
    google = await googleFor();
    service = await startLocalService(google, { env: { ...QUOTA, OPERATOR_TOKEN: TOKEN } });
    run = await scanToTheEnd(service.client, service.service.store);
  }, 120_000);
  afterAll(async () => {
    await service?.close();
    await google?.close();
  });

  it('answers 401 without credentials and shows no figure', async () => {
    const response = await stats(service.url);
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('users');
  });

  it('answers 403 to a wrong token, and to a signed-in user without one', async () => {
    expect((await stats(service.url, `Bearer ${TOKEN}x`)).status).toBe(403);
    expect((await stats(service.url, 'Basic b3BzOnNlY3JldA==')).status).toBe(403);
    expect((await service.client.get('/api/stats')).status).toBe(401);
  });

  it("shows the operator the day's figures: users, runs, messages, Gmail units, tasks", async () => {
    const response = await stats(service.url, `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Figures;
    expectFiguresOf(body, run);
    expect(body.tasks).toMatchObject({ dead: 0 });
    expect(body.deadWork).toBeNull();
  });
});

describe('GET /api/stats in gcp mode (OIDC token of an operator account)', () => {
  let emulator: FirestoreEmulator;
  let db: Firestore;
  let google: RunningGoogle;
  let gcp: StartedGcpService;
  let run: Run;
  const token = (email: string, audience = gcp.url) =>
    `Bearer ${mintOidcToken(google.google.oauth.signingKey, { audience, email })}`;

  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
    db = createFirestore({ projectId: emulator.project, emulatorHost: emulator.host });
    google = await googleFor();
    gcp = await startGcpService(google, db, {
      ...QUOTA,
      OPERATOR_EMAILS: `${OPERATOR}, monitor@demo-clean-that-up.iam.gserviceaccount.com`,
      OPERATOR_TOKEN: TOKEN,
    });
    run = await scanToTheEnd(gcp.client, gcp.service.store);
  }, 180_000);
  afterAll(async () => {
    await gcp?.close();
    await google?.close();
    await db?.terminate();
    await emulator?.stop();
  }, 60_000);

  it('answers 401 without credentials', async () => {
    expect((await stats(gcp.url)).status).toBe(401);
  });

  it("answers 403 to other accounts' tokens, other audiences and the local bearer token", async () => {
    expect((await stats(gcp.url, token(TASKS_INVOKER))).status).toBe(403);
    expect((await stats(gcp.url, token(OPERATOR, 'https://elsewhere.example'))).status).toBe(403);
    expect((await stats(gcp.url, `Bearer ${TOKEN}`)).status).toBe(403);
  });

  it('shows an operator account the figures read from Firestore and the shared ledger', async () => {
    const response = await stats(gcp.url, token(OPERATOR));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Figures;
    expectFiguresOf(body, run);
    expect(body.tasks).toBeNull();
    expect(body.deadWork).toMatchObject({ tasks: 0, pushes: 0 });
  });
});
