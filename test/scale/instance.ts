/**
 * One service instance of the multi-instance test, as its own process: the real gcp
 * composition (Firestore emulator, the Cloud Tasks fake and the Secret Manager fake over gRPC,
 * the simulated Google) on the warped clock every process of the test shares. Configured by
 * the environment as the service is, plus SCALE_* for the test's plumbing; SIGTERM settles the
 * quota ledger and exits. `GET /scale/usage` says what the process has spent so far: its CPU
 * (process.cpuUsage), its calls per Store port method and the Firestore documents its Store
 * read, wrote and deleted (the store's meter), in all and by Store method, for the benchmark.
 */

import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { CloudTasksClient } from '@google-cloud/tasks';
import { serve } from '@hono/node-server';
import { attributeFirestoreDocs } from '../../bench/firestore-docs.js';
import { countStoreCalls } from '../../bench/store-calls.js';
import { createFirestore } from '../../src/adapters/firestore/firestore-client.js';
import { loadConfig } from '../../src/config.js';
import { composeGcp } from '../../src/gcp/compose-gcp.js';
import { createLogger } from '../../src/log.js';
import { localClientOptions } from '../helpers/grpc-server.js';

const env = process.env;
const warpStart = Number(env.SCALE_WARP_START);
const factor = Number(env.SCALE_WARP_FACTOR);
const clock = { now: () => warpStart + (Date.now() - warpStart) * factor };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms / factor));

const config = loadConfig(env);
const log = createLogger(config.logLevel, (line) => process.stderr.write(`${line}\n`));
const firestore = createFirestore({
  projectId: config.gcp!.project,
  emulatorHost: env.SCALE_FIRESTORE_HOST,
});
const tasks = new CloudTasksClient(localClientOptions(Number(env.SCALE_TASKS_PORT)));
const secrets = new SecretManagerServiceClient(localClientOptions(Number(env.SCALE_SECRETS_PORT)));
const service = await composeGcp(config, log, {
  firestore,
  tasks,
  secrets,
  // Only the quota's waits run on the warped clock: runs and Cloud Tasks keep real time.
  timing: { clock, sleep },
  // Chunks live one real second and refused ones ask again five times a real second, whatever
  // the warp: on the warped clock the defaults would make every chunk a Firestore round trip.
  ledger: { leaseMs: 1_000 * factor, pollMs: 200 * factor },
});
const storeCalls: Record<string, number> = {};
countStoreCalls(service.store, storeCalls);
const documents: Parameters<typeof attributeFirestoreDocs>[1] = {};
attributeFirestoreDocs(service.store, documents);
const usage = () => {
  const cpu = process.cpuUsage();
  return Response.json({
    cpuMs: (cpu.user + cpu.system) / 1000,
    store: storeCalls,
    firestore: service.store.meter.snapshot(),
    documents,
  });
};
const server = serve({
  fetch: (request) =>
    new URL(request.url).pathname === '/scale/usage' ? usage() : service.app.fetch(request),
  port: config.port,
  hostname: '127.0.0.1',
});

process.on('SIGTERM', () => {
  server.close();
  void (async () => {
    await service.close();
    await Promise.allSettled([tasks.close(), secrets.close(), firestore.terminate()]);
    process.exit(0);
  })();
});
