import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { FINAL_STATUSES, type Run } from '../src/domain/model.js';
import { composeLocal, type LocalService } from '../src/local/compose-local.js';
import { SqliteStore } from '../src/local/sqlite/sqlite-store.js';
import { silentLogger } from '../src/log.js';
import { VALID_KEY } from '../test/helpers/fake-openai.js';
import { HttpClient } from '../test/helpers/http-client.js';
import { listen } from '../test/helpers/listen.js';
import { TEST_CLIENT } from '../test/helpers/simulated-google.js';
import { countStoreCalls } from './store-calls.js';
import type { Warp } from './warp.js';
import type { World } from './world-client.js';

export interface TaskTime {
  count: number;
  /** Real ms spent in the handler, summed over attempts. */
  ms: number;
}

export interface Counts {
  /** Calls per Store method, made by the service (the benchmark's own polling is not counted). */
  readonly store: Record<string, number>;
  /** Task attempts per task path, and their real duration. */
  readonly tasks: Record<string, TaskTime>;
}

export interface BenchService {
  readonly url: string;
  readonly service: LocalService;
  readonly counts: Counts;
  /**
   * Signs `email` in (through the simulated Google's OAuth) and saves the fake OpenAI key, or
   * chooses the rules-only classifier.
   */
  signUp(email: string, classifier?: 'openai' | 'rules'): Promise<HttpClient>;
  /** Starts a full scan as the signed-in user; returns the run id. */
  startRun(client: HttpClient): Promise<string>;
  /** Polls (uncounted) until the run is final. */
  waitRun(runId: string, timeoutMs?: number): Promise<Run>;
  /** Uncounted reads for the benchmark itself. */
  readonly peek: Pick<
    SqliteStore,
    'getRun' | 'listRuns' | 'getUser' | 'updateUser' | 'listBatches'
  >;
  resetCounts(): void;
  close(): Promise<void>;
}

export async function startBenchService(
  world: World,
  warp: Warp,
  env: Record<string, string>,
): Promise<BenchService> {
  let handler: ((request: Request) => Response | Promise<Response>) | undefined;
  const server = await listen((request) => handler!(request));
  const dataDir = mkdtempSync(join(tmpdir(), 'ctu-bench-'));
  const config = loadConfig({
    PORT: String(server.port),
    PUBLIC_URL: server.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    GOOGLE_CLIENT_ID: TEST_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    GOOGLE_API_BASE_URL: world.googleUrl,
    OPENAI_BASE_URL: world.openAiUrl,
    ...env,
  });
  const service = await composeLocal(config, silentLogger, {
    clock: warp.clock,
    timing: { clock: warp.clock, sleep: warp.sleep },
  });
  handler = service.app.fetch;
  const counts: Counts = { store: {}, tasks: {} };
  countStoreCalls(service.store, counts.store);
  timeTasks(service, counts.tasks);
  service.queue.start();

  const proto = SqliteStore.prototype;
  const store = service.store;
  const peek: BenchService['peek'] = {
    getRun: (id) => proto.getRun.call(store, id),
    listRuns: (userId, limit) => proto.listRuns.call(store, userId, limit),
    getUser: (id) => proto.getUser.call(store, id),
    updateUser: (id, patch) => proto.updateUser.call(store, id, patch),
    listBatches: (runId) => proto.listBatches.call(store, runId),
  };

  return {
    url: server.url,
    service,
    counts,
    peek,
    async signUp(email, classifier = 'openai') {
      const client = new HttpClient(server.url);
      const start = await client.get('/auth/google');
      const authorize = new URL(start.headers.get('location')!);
      authorize.searchParams.set('login_hint', email);
      const { final } = await client.follow(authorize.toString());
      if (final.status >= 400) throw new Error(`sign-in of ${email}: ${final.status}`);
      const form: Record<string, string> =
        classifier === 'openai' ? { apiKey: VALID_KEY } : { rulesOnly: '1' };
      const saved = await client.post('/app/openai-key', form);
      if (saved.status >= 400) throw new Error(`saving the key: ${saved.status}`);
      return client;
    },
    async startRun(client) {
      const start = await client.post('/app/runs');
      const location = start.headers.get('location');
      if (start.status !== 303 || !location) throw new Error(`POST /app/runs: ${start.status}`);
      return location.replace('/runs/', '');
    },
    async waitRun(runId, timeoutMs = 30 * 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await peek.getRun(runId);
        if (run && FINAL_STATUSES.includes(run.status)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    resetCounts() {
      for (const key of Object.keys(counts.store)) delete counts.store[key];
      for (const key of Object.keys(counts.tasks)) delete counts.tasks[key];
    },
    async close() {
      await server.close();
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Times the queue's dispatches: the in-process queue calls the app's task routes. */
function timeTasks(service: LocalService, into: Record<string, TaskTime>): void {
  const app = service.app;
  const request = app.request;
  app.request = (async (...args: Parameters<typeof request>) => {
    const path = String(args[0]);
    if (!path.startsWith('/tasks/')) return request(...args);
    const started = performance.now();
    try {
      return await request(...args);
    } finally {
      const time = into[path] ?? { count: 0, ms: 0 };
      into[path] = time;
      time.count++;
      time.ms += performance.now() - started;
    }
  }) as typeof request;
}
