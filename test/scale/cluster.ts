import { randomBytes } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { createFirestore } from '../../src/adapters/firestore/firestore-client.js';
import type { FirestoreOps } from '../../src/adapters/firestore/firestore-meter.js';
import { FirestoreStore } from '../../src/adapters/firestore/firestore-store.js';
import { FINAL_STATUSES, type Run } from '../../src/domain/model.js';
import { SimulatedGoogle } from '../../src/local/google/simulated-google.js';
import { type CloudTasksFake, startCloudTasksFake } from '../helpers/cloud-tasks-fake.js';
import { type FirestoreEmulator, startFirestoreEmulator } from '../helpers/emulators.js';
import { type FakeOpenAi, startFakeOpenAi, VALID_KEY } from '../helpers/fake-openai.js';
import {
  GCP_PROJECT,
  KEY_RING_SECRET,
  PUSH_ACCOUNT,
  TASKS_INVOKER,
} from '../helpers/gcp-service.js';
import { HttpClient } from '../helpers/http-client.js';
import type { Listening } from '../helpers/listen.js';
import { mintOidcToken } from '../helpers/oidc-tokens.js';
import { envelope } from '../helpers/ongoing-cleanup.js';
import { type SecretManagerFake, startSecretManagerFake } from '../helpers/secret-manager-fake.js';
import { freePort, ServiceProcess } from '../helpers/service-process.js';
import { TEST_CLIENT } from '../helpers/simulated-google.js';
import { serveRoundRobin, serveWithGmailLatency } from './cluster-servers.js';

/**
 * Several service processes in MODE=gcp sharing one Gmail budget, as Cloud Run runs them: the
 * real Firestore emulator holds the shared quota ledger, one Cloud Tasks fake spreads the tasks
 * over the instances through a round-robin front (Cloud Run's load balancer), and one simulated
 * Google enforces the per-user and per-project budgets on the instances' warped clock. Used by
 * test/scale/multi-instance.test.ts and by the benchmark's multi-instance scenario.
 */

export interface ClusterOptions {
  readonly instances: number;
  readonly userBudget: number;
  readonly projectBudget: number;
  /** How much faster the quota's clock runs than real time, on every side. */
  readonly warp: number;
  /** Tasks the Cloud Tasks fake runs at once (the queue's max concurrent dispatches). */
  readonly maxConcurrentDispatches: number;
  /** Real ms added to every Gmail HTTP request (a batch is one): ms + [0, jitterMs). */
  readonly gmailLatency?: { readonly ms: number; readonly jitterMs: number };
  /** Starts the fake OpenAI server and points the instances at it. */
  readonly openAi?: boolean;
  /** More environment for every instance (e.g. SCAN_STRATEGY). */
  readonly env?: Readonly<Record<string, string>>;
}

/** What one instance's process has spent since it started (`GET /scale/usage`). */
export interface InstanceUsage {
  /** process.cpuUsage(), user + system, in ms. */
  readonly cpuMs: number;
  /** Calls per Store port method. */
  readonly store: Record<string, number>;
  /** Firestore documents the instance's Store read, wrote and deleted, as Firestore bills them. */
  readonly firestore: FirestoreOps;
  /** The same documents by the Store method that touched them. */
  readonly documents: Record<string, FirestoreOps>;
}

export interface Cluster {
  readonly emulator: FirestoreEmulator;
  readonly db: Firestore;
  /** Uncounted reads for the caller's own checks. */
  readonly store: FirestoreStore;
  readonly google: SimulatedGoogle;
  readonly front: Listening;
  readonly tasks: CloudTasksFake;
  readonly instances: readonly ServiceProcess[];
  readonly openAi: FakeOpenAi | undefined;
  /** Gmail HTTP requests seen and the latency added to them. */
  readonly roundTrips: { gmail: number; latencyMs: number };
  /** The instances' (warped) clock. */
  warpedNow(): number;
  /**
   * Until this is called the simulated Google keeps real time, as users sign in (the service
   * checks the id token's times against its own clock); then it jumps to the warped clock.
   */
  startWarp(): void;
  /** Signs `email` in through the front and saves the fake OpenAI key or chooses the rules. */
  signUp(email: string, classifier: 'openai' | 'rules'): Promise<HttpClient>;
  /** Starts a full scan as the signed-in user; returns the run id. */
  startRun(client: HttpClient): Promise<string>;
  /** Polls the store until the run is final. */
  waitRun(runId: string, timeoutMs: number): Promise<Run>;
  /** Every instance's usage so far, in instance order. */
  usage(): Promise<InstanceUsage[]>;
  close(): Promise<void>;
}

/** Polls `probe` every 250 ms until it gives a value. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Starts everything; add accounts with `cluster.google.addAccount` afterwards. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const opened: { close(): Promise<unknown> }[] = [];
  const close = async () => {
    for (const part of opened.reverse()) await part.close().catch(() => {});
  };
  try {
    return await open(options, opened, close);
  } catch (error) {
    await close();
    throw error;
  }
}

async function open(
  options: ClusterOptions,
  opened: { close(): Promise<unknown> }[],
  close: () => Promise<void>,
): Promise<Cluster> {
  // google-gax probes the metadata server even with an emulator set: never past loopback.
  process.env.METADATA_SERVER_DETECTION = 'none';
  const warpStart = Date.now();
  const warpedNow = () => warpStart + (Date.now() - warpStart) * options.warp;
  let signingIn = true;
  const emulator = await startFirestoreEmulator();
  opened.push({ close: () => emulator.stop() });
  const db = createFirestore({ projectId: emulator.project, emulatorHost: emulator.host });
  opened.push({ close: () => db.terminate() });
  const google = new SimulatedGoogle({
    clients: [TEST_CLIENT],
    now: () => (signingIn ? Date.now() : warpedNow()),
    userUnitsPerMinute: options.userBudget,
    projectUnitsPerMinute: options.projectBudget,
    accessTokenTtlSeconds: 365 * 86_400,
  });
  const roundTrips = { gmail: 0, latencyMs: 0 };
  const googleServer = await serveWithGmailLatency(google, options.gmailLatency, roundTrips);
  opened.push(googleServer);
  const openAi = options.openAi ? await startFakeOpenAi() : undefined;
  if (openAi) opened.push(openAi);

  const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
  const front = await serveRoundRobin(ports);
  opened.push(front);

  const secrets: SecretManagerFake = await startSecretManagerFake();
  opened.push(secrets);
  const key = () => randomBytes(32).toString('base64');
  secrets.addVersion(
    KEY_RING_SECRET,
    JSON.stringify({ version: 1, current: 'k1', keys: { k1: key() }, macRoot: key() }),
  );
  const tasks = await startCloudTasksFake();
  opened.push(tasks);
  const topic = `projects/${GCP_PROJECT}/topics/gmail`;
  const pushUrl = `${front.url}/push/gmail`;
  google.notifier.setTopic(topic, {
    kind: 'function',
    deliver: async (n) => {
      const token = mintOidcToken(google.oauth.signingKey, {
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

  const instances = ports.map(
    (port) =>
      new ServiceProcess(port, {
        MODE: 'gcp',
        PUBLIC_URL: front.url,
        GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
        GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
        GOOGLE_API_BASE_URL: googleServer.url,
        GOOGLE_CLOUD_PROJECT: GCP_PROJECT,
        CLOUD_TASKS_LOCATION: 'europe-west1',
        CLOUD_TASKS_QUEUE: 'work',
        TASKS_INVOKER_SERVICE_ACCOUNT: TASKS_INVOKER,
        PUSH_SERVICE_ACCOUNT: PUSH_ACCOUNT,
        PUBSUB_TOPIC: topic,
        KEYRING_SECRET: 'key-ring',
        GMAIL_USER_UNITS_PER_MINUTE: String(options.userBudget),
        GMAIL_PROJECT_UNITS_PER_MINUTE: String(options.projectBudget),
        ...(openAi ? { OPENAI_BASE_URL: openAi.baseUrl } : {}),
        ...options.env,
        SCALE_WARP_START: String(warpStart),
        SCALE_WARP_FACTOR: String(options.warp),
        SCALE_FIRESTORE_HOST: emulator.host,
        SCALE_TASKS_PORT: String(tasks.port),
        SCALE_SECRETS_PORT: String(secrets.port),
      }),
  );
  opened.push({
    close: async () => {
      if (process.env.SCALE_DEBUG) for (const i of instances) console.log(i.logs().slice(-3000));
      await Promise.all(instances.map((instance) => instance.stop()));
    },
  });
  await Promise.all(instances.map((instance) => instance.start('test/scale/instance.ts')));
  tasks.startDispatching({
    sign: (claims) => mintOidcToken(google.oauth.signingKey, claims),
    maxConcurrent: options.maxConcurrentDispatches,
    backoffMs: 200,
  });

  const store = new FirestoreStore(db);
  return {
    emulator,
    db,
    store,
    google,
    front,
    tasks,
    instances,
    openAi,
    roundTrips,
    warpedNow,
    startWarp: () => {
      signingIn = false;
    },
    async signUp(email, classifier) {
      const client = new HttpClient(front.url);
      const start = await client.get('/auth/google');
      const authorize = new URL(start.headers.get('location')!);
      authorize.searchParams.set('login_hint', email);
      const { final } = await client.follow(authorize.toString());
      if (final.status >= 400) throw new Error(`sign-in of ${email}: ${final.status}`);
      const form: Record<string, string> =
        classifier === 'openai' ? { apiKey: VALID_KEY } : { rulesOnly: '1' };
      const saved = await client.post('/app/openai-key', form);
      if (saved.status !== 303) throw new Error(`saving the key of ${email}: ${saved.status}`);
      return client;
    },
    async startRun(client) {
      const started = await client.post('/app/runs');
      const location = started.headers.get('location');
      if (started.status !== 303 || !location) throw new Error(`POST /app/runs: ${started.status}`);
      return location.replace('/runs/', '');
    },
    waitRun: async (runId, timeoutMs) => {
      let last: Run | undefined;
      try {
        return await waitUntil(
          async () => {
            last = await store.getRun(runId);
            return last && FINAL_STATUSES.includes(last.status) ? last : undefined;
          },
          `run ${runId}`,
          timeoutMs,
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}: ${await describeRun(store, last)}`);
      }
    },
    usage: () =>
      Promise.all(
        instances.map(async (instance) => {
          const response = await fetch(`${instance.url}/scale/usage`);
          if (!response.ok) throw new Error(`usage of ${instance.url}: ${response.status}`);
          return (await response.json()) as InstanceUsage;
        }),
      ),
    close,
  };
}

/** A stuck run in a line: its status, its batches by status, its outbox entries and log. */
async function describeRun(store: FirestoreStore, run: Run | undefined): Promise<string> {
  if (!run) return 'no such run';
  const batches = await store.listBatches(run.id);
  const byStatus: Record<string, number> = {};
  for (const batch of batches) byStatus[batch.status] = (byStatus[batch.status] ?? 0) + 1;
  const queued = await store.queuedTrash(run.userId, 1_000);
  return JSON.stringify({
    status: run.status,
    total: run.total,
    batchesDone: run.batchesDone,
    batchCount: run.batchCount,
    batches: byStatus,
    outbox: queued.map((entry) => `${entry.runId === run.id ? '' : 'other:'}${entry.batchNo}`),
    log: run.errors.slice(-5).map((entry) => entry.message),
  });
}
