import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirestore } from '../../src/adapters/firestore/firestore-client.js';
import { FirestoreStore } from '../../src/adapters/firestore/firestore-store.js';
import type { Run } from '../../src/domain/model.js';
import {
  type GeneratedMailbox,
  generateMailbox,
} from '../../src/local/google/mailbox-generator.js';
import { Random } from '../../src/local/google/random.js';
import { SimulatedGoogle } from '../../src/local/google/simulated-google.js';
import { type CloudTasksFake, startCloudTasksFake } from '../helpers/cloud-tasks-fake.js';
import { type FirestoreEmulator, startFirestoreEmulator } from '../helpers/emulators.js';
import {
  GCP_PROJECT,
  KEY_RING_SECRET,
  PUSH_ACCOUNT,
  TASKS_INVOKER,
} from '../helpers/gcp-service.js';
import { HttpClient } from '../helpers/http-client.js';
import { type Listening, listen } from '../helpers/listen.js';
import { mintOidcToken } from '../helpers/oidc-tokens.js';
import { disposable, envelope, personal } from '../helpers/ongoing-cleanup.js';
import { type SecretManagerFake, startSecretManagerFake } from '../helpers/secret-manager-fake.js';
import { freePort, ServiceProcess } from '../helpers/service-process.js';
import { TEST_CLIENT } from '../helpers/simulated-google.js';

/**
 * Several service processes in MODE=gcp spend one Gmail budget: the real Firestore emulator
 * holds the shared quota ledger, one Cloud Tasks fake spreads the tasks over the instances
 * through a round-robin front (Cloud Run's load balancer), and one simulated Gmail enforces
 * the per-user and per-project budgets on the same warped clock. The project budget is small
 * enough to bind. Figures go to test-results/scale/figures.json.
 */

const INSTANCES = 3;
const USERS = Number(process.env.SCALE_USERS ?? 40);
const MAILBOX = 10;
const PUSHED_PER_USER = 3;
const USER_BUDGET = 6_000;
const PROJECT_BUDGET = Number(process.env.SCALE_PROJECT_BUDGET ?? 1_200);
const WARP = Number(process.env.SCALE_WARP ?? 12);
const RESULTS = join(import.meta.dirname, '..', '..', 'test-results', 'scale');

const warpStart = Date.now();
const warpedNow = () => warpStart + (Date.now() - warpStart) * WARP;
/**
 * The simulated Google keeps real time while users sign in (the service checks the id token's
 * times against its own clock), then jumps forward to the instances' warped clock.
 */
let signingIn = true;
const googleNow = () => (signingIn ? Date.now() : warpedNow());

/**
 * A generated mailbox keeping only its first user label and no star colours. Each marking label
 * costs every scan a listing and a label history: at the generator's 5 to 10 labels they were
 * most of a 10-message scan's units, and units are this test's real time. The budgets, not the
 * labels, are what it is about (conversation marks have their own tests).
 */
function fewLabels(generated: GeneratedMailbox): GeneratedMailbox {
  const dropped = new Set(
    [...generated.userLabels.slice(1), ...(generated.markerLabels ?? [])].map((l) => l.id),
  );
  for (const message of generated.messages) {
    message.labelIds = message.labelIds.filter((id) => !dropped.has(id));
  }
  return {
    userLabels: generated.userLabels.slice(0, 1),
    markerLabels: [],
    messages: generated.messages,
  };
}

interface World {
  emulator: FirestoreEmulator;
  db: Firestore;
  google: SimulatedGoogle;
  googleServer: Listening;
  front: Listening;
  tasks: CloudTasksFake;
  secrets: SecretManagerFake;
  instances: ServiceProcess[];
}

async function waitUntil<T>(probe: () => Promise<T | undefined>, what: string, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('several gcp instances sharing one Gmail budget', () => {
  const w = {} as World;
  const emails = Array.from({ length: USERS }, (_, i) => `scale${i + 1}@example.com`);
  const userIds = new Map<string, string>();

  beforeAll(async () => {
    w.emulator = await startFirestoreEmulator();
    w.db = createFirestore({ projectId: w.emulator.project, emulatorHost: w.emulator.host });
    w.google = new SimulatedGoogle({
      clients: [TEST_CLIENT],
      now: googleNow,
      userUnitsPerMinute: USER_BUDGET,
      projectUnitsPerMinute: PROJECT_BUDGET,
      accessTokenTtlSeconds: 86_400,
    });
    emails.forEach((email, i) => {
      const mailbox = generateMailbox({
        seed: 500 + i,
        size: MAILBOX,
        ownerEmail: email,
        now: googleNow(),
      });
      const account = w.google.addAccount({ email, mailbox: fewLabels(mailbox) });
      userIds.set(email, account.sub);
    });
    w.googleServer = await listen(w.google.app.fetch);

    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    let turn = 0;
    w.front = await listen(async (request) => {
      // Cloud Run's front: each request to the next instance.
      const url = new URL(request.url);
      const port = ports[turn++ % ports.length]!;
      const body = ['GET', 'HEAD'].includes(request.method)
        ? undefined
        : await request.arrayBuffer();
      return fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body,
        redirect: 'manual',
      });
    });

    w.secrets = await startSecretManagerFake();
    const key = () => randomBytes(32).toString('base64');
    w.secrets.addVersion(
      KEY_RING_SECRET,
      JSON.stringify({ version: 1, current: 'k1', keys: { k1: key() }, macRoot: key() }),
    );
    w.tasks = await startCloudTasksFake();
    const topic = `projects/${GCP_PROJECT}/topics/gmail`;
    const pushUrl = `${w.front.url}/push/gmail`;
    w.google.notifier.setTopic(topic, {
      kind: 'function',
      deliver: async (n) => {
        const token = mintOidcToken(w.google.oauth.signingKey, {
          audience: pushUrl,
          email: PUSH_ACCOUNT,
        });
        await fetch(pushUrl, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(envelope(n.emailAddress, n.historyId)),
        });
      },
    });

    w.instances = ports.map(
      (port) =>
        new ServiceProcess(port, {
          MODE: 'gcp',
          PUBLIC_URL: w.front.url,
          GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
          GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
          GOOGLE_API_BASE_URL: w.googleServer.url,
          GOOGLE_CLOUD_PROJECT: GCP_PROJECT,
          CLOUD_TASKS_LOCATION: 'europe-west1',
          CLOUD_TASKS_QUEUE: 'work',
          TASKS_INVOKER_SERVICE_ACCOUNT: TASKS_INVOKER,
          PUSH_SERVICE_ACCOUNT: PUSH_ACCOUNT,
          PUBSUB_TOPIC: topic,
          KEYRING_SECRET: 'key-ring',
          GMAIL_USER_UNITS_PER_MINUTE: String(USER_BUDGET),
          GMAIL_PROJECT_UNITS_PER_MINUTE: String(PROJECT_BUDGET),
          SCALE_WARP_START: String(warpStart),
          SCALE_WARP_FACTOR: String(WARP),
          SCALE_FIRESTORE_HOST: w.emulator.host,
          SCALE_TASKS_PORT: String(w.tasks.port),
          SCALE_SECRETS_PORT: String(w.secrets.port),
        }),
    );
    await Promise.all(w.instances.map((instance) => instance.start('test/scale/instance.ts')));
    w.tasks.startDispatching({
      sign: (claims) => mintOidcToken(w.google.oauth.signingKey, claims),
      maxConcurrent: 60,
      backoffMs: 200,
    });
  }, 120_000);

  afterAll(async () => {
    if (process.env.SCALE_DEBUG)
      for (const i of w.instances ?? []) console.log(i.logs().slice(-3000));
    await w.tasks?.close();
    await Promise.all((w.instances ?? []).map((instance) => instance.stop()));
    await w.front?.close();
    await w.googleServer?.close();
    await w.secrets?.close();
    await w.db?.terminate();
    await w.emulator?.stop();
  }, 60_000);

  it('scans and syncs every user within both budgets, without a 429, deciding each message once', async () => {
    const store = new FirestoreStore(w.db);
    const inScope = new Map(
      emails.map((email) => [
        email,
        [...w.google.account(email).messagesAfter(undefined)]
          .filter((m) => !m.labelIds.includes('SPAM') && !m.labelIds.includes('TRASH'))
          .map((m) => m.id),
      ]),
    );
    const clients = await Promise.all(
      emails.map(async (email) => {
        const client = new HttpClient(w.front.url);
        const start = await client.get('/auth/google');
        const authorize = new URL(start.headers.get('location')!);
        authorize.searchParams.set('login_hint', email);
        const { final } = await client.follow(authorize.toString());
        expect(final.status, email).toBeLessThan(400);
        expect((await client.post('/app/openai-key', { rulesOnly: '1' })).status).toBe(303);
        return client;
      }),
    );
    signingIn = false;
    const simStart = warpedNow();
    const runIds = await Promise.all(
      clients.map(async (client) => {
        const started = await client.post('/app/runs');
        expect(started.status).toBe(303);
        return started.headers.get('location')!.replace('/runs/', '');
      }),
    );
    const finalRun = (id: string) =>
      waitUntil(
        async () => {
          const run = await store.getRun(id);
          return run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
        },
        `run ${id}`,
        480_000,
      );
    const progress = setInterval(() => {
      if (!process.env.SCALE_DEBUG) return;
      void Promise.all(runIds.map((id) => store.getRun(id))).then((all) => {
        const byStatus: Record<string, number> = {};
        for (const run of all)
          byStatus[run?.status ?? '?'] = (byStatus[run?.status ?? '?'] ?? 0) + 1;
        const stats = w.google.stats.snapshot();
        console.log(
          ((warpedNow() - simStart) / 60_000).toFixed(2),
          JSON.stringify(byStatus),
          stats.totalUnits,
          stats.rateLimited,
          w.tasks.attempts.length,
          w.tasks.requests.length,
          w.tasks.attempts.filter((a) => a.status >= 300 || a.status === 0).length,
          JSON.stringify(
            Object.fromEntries(
              Object.entries(stats.methods).map(([m, c]) => [m, `${c?.calls}/${c?.units}`]),
            ),
          ),
        );
      });
    }, 3_000);
    const runs = await Promise.all(runIds.map(finalRun)).finally(() => clearInterval(progress));
    expect(runs.map((run) => run.status)).toEqual(runs.map(() => 'DONE'));

    // A run is DONE before its watch task has run: wait for every watch, as Gmail pushes none before.
    await waitUntil(
      async () => (emails.every((email) => w.google.account(email).watch) ? true : undefined),
      'every watch',
      60_000,
    );
    // Ongoing cleanup: new mail for everyone, notified through Pub/Sub push to the front.
    const rng = new Random(17);
    const pushed = new Map<string, string[]>();
    for (const email of emails) {
      const messages = Array.from({ length: PUSHED_PER_USER }, (_, i) =>
        i === 0 ? personal(rng, email) : disposable(rng, email),
      );
      for (const message of messages) w.google.deliver(email, message);
      pushed.set(
        email,
        messages.map((m) => m.id),
      );
    }
    const decisionsOf = async (email: string) => {
      const userRuns: Run[] = await store.listRuns(userIds.get(email)!, 50);
      const batches = await Promise.all(userRuns.map((run) => store.listBatches(run.id)));
      return batches.flat().flatMap((batch) => batch.decisions.map((d) => d.id));
    };
    const decided = await Promise.all(
      emails.map((email) =>
        waitUntil(
          async () => {
            const ids = await decisionsOf(email);
            return pushed.get(email)!.every((id) => ids.includes(id)) ? ids : undefined;
          },
          `the sync of ${email}`,
          180_000,
        ),
      ),
    );
    const simulatedMinutes = (warpedNow() - simStart) / 60_000;

    let decidedOnce = true;
    decided.forEach((ids, i) => {
      const email = emails[i]!;
      const expected = [...inScope.get(email)!, ...pushed.get(email)!].sort();
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      if ([...counts.values()].some((n) => n !== 1)) decidedOnce = false;
      expect([...counts.keys()].sort(), email).toEqual(expected);
    });

    const stats = w.google.stats.snapshot();
    const quota = w.google.quota;
    const figures = {
      instances: INSTANCES,
      users: USERS,
      messages: decided.reduce((n, ids) => n + ids.length, 0),
      units: stats.totalUnits,
      gmail429s: stats.rateLimited,
      peakUserUnitsPerMinute: Math.max(...emails.map((e) => quota.peakUserUnitsPerMinute(e))),
      userBudget: USER_BUDGET,
      peakProjectUnitsPerMinute: quota.peakProjectUnitsPerMinute,
      projectBudget: PROJECT_BUDGET,
      decidedOnce,
      simulatedMinutes: Math.round(simulatedMinutes * 100) / 100,
      floorMinutes: Math.round((stats.totalUnits / PROJECT_BUDGET) * 100) / 100,
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(`multi-instance figures: ${JSON.stringify(figures)}\n`);

    expect(figures.gmail429s).toBe(0);
    expect(figures.peakUserUnitsPerMinute).toBeLessThanOrEqual(USER_BUDGET);
    expect(figures.peakProjectUnitsPerMinute).toBeLessThanOrEqual(PROJECT_BUDGET);
    expect(figures.decidedOnce).toBe(true);
    // The project budget bound the work: the scans needed more than one minute of it.
    expect(figures.floorMinutes).toBeGreaterThan(1);
  }, 720_000);
});
