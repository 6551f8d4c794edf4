import { type Cluster, startCluster, waitUntil } from '../test/scale/cluster.js';
import type { Latency } from './setup.js';
import { USER_UNITS_PER_MINUTE } from './setup.js';
import { storeOps } from './store-calls.js';

export interface MultiInstanceArgs {
  readonly instances: number;
  /** Users in the sample, each with its own generated mailbox, all started at once. */
  readonly users: number;
  readonly size: number;
  readonly strategy: 'by-sender' | 'by-message';
  readonly classifier: 'openai' | 'rules';
  /** The project's Gmail budget for the sample: the target's, scaled to the sample's users. */
  readonly projectBudget: number;
  /** Tasks the queue runs at once for the sample: the deployment's, scaled the same way. */
  readonly maxConcurrentDispatches: number;
  readonly warp: number;
  readonly latency: Latency;
}

/** Real ms a run may take before the scenario gives up. */
const RUN_TIMEOUT_MS = 15 * 60_000;

/**
 * A sample of the 1,000-user load on the cloud composition: `instances` MODE=gcp processes
 * (test/scale/cluster.ts: real Firestore emulator, the Cloud Tasks fake behind a round-robin
 * front, one simulated Gmail with latency) scan `users` mailboxes at once. The project budget
 * and the queue's concurrency are the deployment's scaled to the sample's share of the target,
 * so the sample meets the contention the target would. It measures what the model needs
 * (units, tasks and CPU per user and per message) and what the issue asks the scale test for
 * (429s, peak user-minute and project-minute against the budgets, simulated time and floor).
 */
export async function multiInstance(args: MultiInstanceArgs) {
  const cluster = await startCluster({
    instances: args.instances,
    userBudget: USER_UNITS_PER_MINUTE,
    projectBudget: args.projectBudget,
    warp: args.warp,
    maxConcurrentDispatches: args.maxConcurrentDispatches,
    gmailLatency: args.latency,
    openAi: args.classifier === 'openai',
    env: { SCAN_STRATEGY: args.strategy, LOG_LEVEL: 'error' },
  });
  try {
    const emails = Array.from({ length: args.users }, (_, i) => `user${i + 1}@example.com`);
    // The same mailboxes as the one-process sample (scenario-many-users.ts): seeds 1,000 + i.
    emails.forEach((email, i) => {
      cluster.google.addAccount({ email, mailbox: { size: args.size, seed: 1_000 + i } });
    });
    const clients = await Promise.all(emails.map((e) => cluster.signUp(e, args.classifier)));
    return await measure(cluster, args, emails, clients);
  } finally {
    await cluster.close();
  }
}

async function measure(
  cluster: Cluster,
  args: MultiInstanceArgs,
  emails: readonly string[],
  clients: Awaited<ReturnType<Cluster['signUp']>>[],
) {
  const before = await cluster.usage();
  cluster.google.stats.reset();
  cluster.roundTrips.gmail = 0;
  cluster.roundTrips.latencyMs = 0;
  const attemptsBefore = cluster.tasks.attempts.length;
  cluster.startWarp();
  const realStart = Date.now();
  const runIds = await Promise.all(clients.map((client) => cluster.startRun(client)));
  const runs = await Promise.all(runIds.map((id) => cluster.waitRun(id, RUN_TIMEOUT_MS)));
  // Runs keep real time in the instances (only the quota's waits are warped).
  const lastEnd = Math.max(...runs.map((run) => run.endedAt ?? Date.now()));
  const simulatedMinutes = ((lastEnd - realStart) * args.warp) / 60_000;
  const wallSeconds = (lastEnd - realStart) / 1000;
  // A DONE run registers its watch in a task of its own: it is part of the scan's cost.
  await waitUntil(
    async () => (emails.every((e) => cluster.google.account(e).watch) ? true : undefined),
    'every watch',
    120_000,
  );
  const after = await cluster.usage();

  const stats = cluster.google.stats.snapshot();
  const quota = cluster.google.quota;
  const messages = runs.reduce((n, run) => n + run.counters.processed, 0);
  const attempts = cluster.tasks.attempts.slice(attemptsBefore);
  const byPath: Record<string, number> = {};
  for (const a of attempts) byPath[a.path] = (byPath[a.path] ?? 0) + 1;
  const cpuMs = after.reduce((sum, u, i) => sum + u.cpuMs - before[i]!.cpuMs, 0);
  const store: Record<string, number> = {};
  after.forEach((u, i) => {
    for (const [method, n] of Object.entries(u.store))
      store[method] = (store[method] ?? 0) + n - (before[i]!.store[method] ?? 0);
  });
  const llm = runs.reduce((n, run) => n + run.llm.calls, 0);
  return {
    scenario: 'multi-instance' as const,
    instances: args.instances,
    strategy: args.strategy,
    classifier: args.classifier,
    users: args.users,
    size: args.size,
    done: runs.filter((run) => run.status === 'DONE').length,
    messages,
    gmail: {
      units: stats.totalUnits,
      unitsPerUser: stats.totalUnits / args.users,
      unitsPerMessage: stats.totalUnits / messages,
      gmail429s: stats.rateLimited,
      peakUserUnitsPerMinute: Math.max(...emails.map((e) => quota.peakUserUnitsPerMinute(e))),
      userBudget: USER_UNITS_PER_MINUTE,
      peakProjectUnitsPerMinute: quota.peakProjectUnitsPerMinute,
      projectBudget: args.projectBudget,
      latencyMsPerUser: cluster.roundTrips.latencyMs / args.users,
    },
    tasks: {
      perUser: attempts.length / args.users,
      failedAttempts: attempts.filter((a) => a.status < 200 || a.status >= 300).length,
      maxConcurrent: args.maxConcurrentDispatches,
      byPath,
    },
    time: {
      warp: args.warp,
      wallSeconds,
      simulatedMinutes,
      /** The least time the sample's units take at its project budget. */
      floorMinutes: stats.totalUnits / args.projectBudget,
    },
    cpu: { serviceMs: cpuMs, servicePerMessageMs: cpuMs / messages },
    llm: { callsPer1000: (llm * 1000) / messages },
    store: storeOps(store, messages),
  };
}

export type MultiInstanceResult = Awaited<ReturnType<typeof multiInstance>>;
