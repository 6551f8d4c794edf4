import { startMeter } from './meter.js';
import { type Latency, openBench, USER_UNITS_PER_MINUTE } from './setup.js';
import { storeOps } from './store-calls.js';

export interface ManyUsersArgs {
  /** Users in the measured sample, each with its own mailbox, all started at once. */
  readonly users: number;
  readonly size: number;
  readonly strategy: 'by-sender' | 'by-message';
  readonly classifier: 'openai' | 'rules';
  readonly warp: number;
  readonly latency: Latency;
}

/** The local queue's concurrency (InProcessQueue's default, which composeLocal keeps). */
export const LOCAL_QUEUE_CONCURRENCY = 8;

/**
 * A sample of the 1,000-user load: `users` mailboxes scanned at once by one service process,
 * at the real per-user and project budgets, on a warped clock. It measures what extrapolates:
 * units, tasks and Gmail round trips per user, and CPU per message; extrapolate.ts turns them
 * into the time and the instances 1,000 users need.
 */
export async function manyUsers(args: ManyUsersArgs) {
  const emails = Array.from({ length: args.users }, (_, i) => `user${i + 1}@example.com`);
  const bench = await openBench(
    args.latency,
    emails.map((email, i) => ({ email, size: args.size, seed: 1_000 + i })),
    { SCAN_STRATEGY: args.strategy },
  );
  try {
    const { svc, world } = bench;
    const clients = [];
    for (const email of emails) clients.push(await svc.signUp(email, args.classifier));
    await world.call.resetStats();
    svc.resetCounts();
    await bench.speedUp(args.warp);
    const meter = await startMeter(world);
    const simStart = bench.warp.clock.now();
    const runIds = await Promise.all(clients.map((client) => svc.startRun(client)));
    const runs = await Promise.all(runIds.map((id) => svc.waitRun(id)));
    await svc.service.queue.idle();
    const simulatedMinutes = (bench.warp.clock.now() - simStart) / 60_000;
    const measured = await meter.stop();

    const plans = await svc.peek.listBatches(runIds[0]!);
    const effectiveStrategy = plans.some((b) => b.plan === null) ? 'by-message' : 'by-sender';
    const perUser = await Promise.all(emails.map((email) => world.call.stats(email)));
    const all = await world.call.stats();
    const messages = runs.reduce((n, run) => n + run.counters.processed, 0);
    const units = perUser.map((s) => s.totalUnits);
    const tasks = Object.values(svc.counts.tasks).reduce((n, t) => n + t.count, 0);
    const runMinutes = runs.map((run) => (run.endedAt! - run.scheduledAt) / 60_000);
    const llm = runs.reduce((n, run) => n + run.llm.calls, 0);
    const tokens = runs.reduce((n, run) => n + run.llm.inputTokens + run.llm.outputTokens, 0);
    const cost = runs.reduce((n, run) => n + run.llm.costUsd, 0);
    return {
      scenario: 'many-users' as const,
      strategy: args.strategy,
      classifier: args.classifier,
      effectiveStrategy,
      users: args.users,
      size: args.size,
      done: runs.filter((run) => run.status === 'DONE').length,
      messages,
      queueConcurrency: LOCAL_QUEUE_CONCURRENCY,
      gmail: {
        units: all.totalUnits,
        unitsPerUser: all.totalUnits / args.users,
        maxUnitsPerUser: Math.max(...units),
        unitsPerMessage: all.totalUnits / messages,
        rateLimited: all.rateLimited,
        peakUserUnitsPerMinute: Math.max(...perUser.map((s) => s.peakUserUnitsPerMinute)),
        /** Gmail HTTP requests (a batch of 50 gets is one) and the latency they were given. */
        roundTripsPerUser: (all.roundTrips.gmail + all.roundTrips.batch) / args.users,
        latencyMsPerUser: all.roundTrips.latencyMs / args.users,
      },
      tasks: {
        perUser: tasks / args.users,
        byPath: { ...svc.counts.tasks },
      },
      time: {
        warp: args.warp,
        wallSeconds: measured.wallMs / 1000,
        simulatedMinutes,
        meanRunMinutes: runMinutes.reduce((a, b) => a + b, 0) / runs.length,
        maxRunMinutes: Math.max(...runMinutes),
      },
      cpu: {
        serviceMs: measured.serviceCpuMs,
        servicePerMessageMs: measured.serviceCpuMs / messages,
        worldPerMessageMs: measured.worldCpuMs / messages,
      },
      memory: { peakRssMb: measured.peakRssMb, peakHeapMb: measured.peakHeapMb },
      llm: {
        callsPer1000: (llm * 1000) / messages,
        tokensPer1000: (tokens * 1000) / messages,
        costPer1000Usd: (cost * 1000) / messages,
      },
      store: storeOps(svc.counts.store, messages),
      userUnitsPerMinute: USER_UNITS_PER_MINUTE,
    };
  } finally {
    await bench.close();
  }
}

export type ManyUsersResult = Awaited<ReturnType<typeof manyUsers>>;
