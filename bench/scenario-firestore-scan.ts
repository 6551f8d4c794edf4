import type { FirestoreOps } from '../src/adapters/firestore/firestore-meter.js';
import { startCluster, waitUntil } from '../test/scale/cluster.js';
import type { FullScanArgs } from './scenario-full-scan.js';
import { LOCAL_QUEUE_CONCURRENCY } from './scenario-many-users.js';
import { PROJECT_UNITS_PER_MINUTE, USER_UNITS_PER_MINUTE } from './setup.js';
import { storeOps } from './store-calls.js';

/** The same scan as the local full-scan scenario's, on the cloud composition. */
export type FirestoreScanArgs = FullScanArgs;

const OWNER = 'bench-owner@example.com';
/** Real ms the scan may take before the scenario gives up. */
const RUN_TIMEOUT_MS = 30 * 60_000;

/**
 * One user's full scan on the cloud composition (one MODE=gcp instance of test/scale/cluster.ts
 * over the real Firestore emulator), for what the local scan cannot say: the Firestore documents
 * the Store reads, writes and deletes, as Firestore bills them (the store's meter). Same
 * mailbox (size, shape, seed) and budgets as the local full-scan scenario, so its Gmail and
 * LLM figures can be set beside that one's.
 */
export async function firestoreScan(args: FirestoreScanArgs) {
  const cluster = await startCluster({
    instances: 1,
    userBudget: USER_UNITS_PER_MINUTE,
    projectBudget: PROJECT_UNITS_PER_MINUTE,
    warp: args.warp,
    maxConcurrentDispatches: LOCAL_QUEUE_CONCURRENCY,
    gmailLatency: args.latency,
    openAi: args.classifier === 'openai',
    env: { SCAN_STRATEGY: args.strategy, LOG_LEVEL: 'error' },
  });
  try {
    cluster.google.addAccount({
      email: OWNER,
      mailbox: { size: args.size, seed: args.seed, shape: args.shape },
    });
    const client = await cluster.signUp(OWNER, args.classifier);
    const [before] = await cluster.usage();
    cluster.google.stats.reset();
    cluster.startWarp();
    const started = Date.now();
    const runId = await cluster.startRun(client);
    const run = await cluster.waitRun(runId, RUN_TIMEOUT_MS);
    const wallSeconds = (Date.now() - started) / 1000;
    // A DONE run registers its watch in a task of its own: it is part of the scan's cost.
    if (run.status === 'DONE') {
      await waitUntil(
        async () => (cluster.google.account(OWNER).watch ? true : undefined),
        'the watch',
        120_000,
      );
    }
    const [after] = await cluster.usage();
    const messages = run.counters.processed;
    const per1000 = (n: number) => (messages === 0 ? 0 : (n * 1000) / messages);
    const spent = (key: keyof FirestoreOps) => after!.firestore[key] - before!.firestore[key];
    const firestore = { reads: spent('reads'), writes: spent('writes'), deletes: spent('deletes') };
    const store: Record<string, number> = {};
    for (const [method, n] of Object.entries(after!.store))
      store[method] = n - (before!.store[method] ?? 0);
    const documents: Record<string, FirestoreOps> = {};
    for (const [method, ops] of Object.entries(after!.documents)) {
      const was = before!.documents[method] ?? { reads: 0, writes: 0, deletes: 0 };
      documents[method] = {
        reads: ops.reads - was.reads,
        writes: ops.writes - was.writes,
        deletes: ops.deletes - was.deletes,
      };
    }
    const stats = cluster.google.stats.snapshot();
    return {
      scenario: 'firestore-scan' as const,
      size: args.size,
      shape: args.shape,
      strategy: args.strategy,
      classifier: args.classifier,
      status: run.status,
      messages,
      trashed: run.counters.trashed,
      unitsPerMessage: messages === 0 ? 0 : stats.totalUnits / messages,
      llmCallsPer1000: per1000(run.llm.calls),
      wallSeconds,
      store: { ...storeOps(store, messages), byMethod: store },
      firestore: {
        ...firestore,
        readsPer1000: per1000(firestore.reads),
        writesPer1000: per1000(firestore.writes),
        deletesPer1000: per1000(firestore.deletes),
        byMethod: documents,
      },
    };
  } finally {
    await cluster.close();
  }
}

export type FirestoreScanResult = Awaited<ReturnType<typeof firestoreScan>>;
