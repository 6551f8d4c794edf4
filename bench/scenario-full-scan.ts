import type { MailboxShape } from '../src/local/google/mailbox-generator.js';
import { startMeter } from './meter.js';
import { type Latency, openBench, USER_UNITS_PER_MINUTE } from './setup.js';
import { storeOps } from './store-calls.js';

export interface FullScanArgs {
  readonly size: number;
  /** The mailbox: a few bulk senders carry most mail, or a long tail of small senders. */
  readonly shape: MailboxShape;
  readonly seed: number;
  readonly strategy: 'by-sender' | 'by-message';
  /** The fake OpenAI (a user with a key, the product's path) or the rules-only classifier. */
  readonly classifier: 'openai' | 'rules';
  /** Simulated seconds per real second while the scan runs. */
  readonly warp: number;
  readonly latency: Latency;
}

const OWNER = 'bench-owner@example.com';

/**
 * One user's full scan, through the HTTP routes and the task queue, at Gmail's real per-user
 * budget on a warped clock. The figures that matter for a deployment:
 * - the quota floor: units / 6,000 a minute, which no implementation can beat;
 * - busy time: real time the run was not held back by the budget (latency, LLM, CPU);
 * - a deployment takes about max(floor, busy), at most floor + busy.
 * Simulated minutes (the warped clock) exceed the floor a little: every call's units stay in
 * the budget's window until it ends, and a real 55 ms call lasts `warp` times longer there.
 */
export async function fullScan(args: FullScanArgs) {
  const bench = await openBench(
    args.latency,
    [{ email: OWNER, size: args.size, seed: args.seed, shape: args.shape }],
    {
      SCAN_STRATEGY: args.strategy,
    },
  );
  try {
    const { svc, world, warp } = bench;
    const client = await svc.signUp(OWNER, args.classifier);
    await world.call.resetStats();
    svc.resetCounts();
    const llmBefore = await world.call.openAi();
    await bench.speedUp(args.warp);
    warp.resetWaits();
    const meter = await startMeter(world);
    const runId = await svc.startRun(client);
    const run = await svc.waitRun(runId);
    await svc.service.queue.idle();
    const measured = await meter.stop();
    const waitedMs = warp.quotaWaitMs();
    const stats = await world.call.stats(OWNER);
    const llmAfter = await world.call.openAi();
    const plans: Record<string, number> = {};
    for (const batch of await svc.peek.listBatches(runId)) {
      const kind = batch.plan?.kind ?? 'page';
      plans[kind] = (plans[kind] ?? 0) + 1;
    }

    const messages = run.counters.processed;
    const per1000 = (n: number) => (messages === 0 ? 0 : (n * 1000) / messages);
    const gets = stats.methods['users.messages.get']?.calls ?? 0;
    const floorMinutes = stats.totalUnits / USER_UNITS_PER_MINUTE;
    const busyMinutes = Math.max(0, measured.wallMs - waitedMs) / 60_000;
    return {
      scenario: 'full-scan' as const,
      strategy: args.strategy,
      classifier: args.classifier,
      shape: args.shape,
      /** What the plan task did: batches by plan kind (`page` = listed page by page). */
      batchPlans: plans,
      effectiveStrategy:
        plans.page === undefined ? ('by-sender' as const) : ('by-message' as const),
      size: args.size,
      status: run.status,
      messages,
      trashed: run.counters.trashed,
      gmail: {
        units: stats.totalUnits,
        unitsPerMessage: stats.totalUnits / messages,
        getsPerMessage: gets / messages,
        calls: stats.totalCalls,
        byMethod: Object.fromEntries(
          Object.entries(stats.methods).map(([m, c]) => [m, { calls: c.calls, units: c.units }]),
        ),
        rateLimited: stats.rateLimited,
        peakUnitsPerMinute: stats.peakUserUnitsPerMinute,
        roundTrips: stats.roundTrips,
      },
      time: {
        warp: args.warp,
        wallSeconds: measured.wallMs / 1000,
        simulatedMinutes: (run.endedAt! - run.scheduledAt) / 60_000,
        floorMinutes,
        busyMinutes,
        /** Share of the wall time spent waiting for the Gmail budget: over half is quota-bound. */
        quotaWaitShare: Math.min(1, waitedMs / measured.wallMs),
        deploymentMinutes: Math.max(floorMinutes, busyMinutes),
        deploymentMaxMinutes: floorMinutes + busyMinutes,
      },
      cpu: {
        serviceMs: measured.serviceCpuMs,
        servicePer1000Ms: per1000(measured.serviceCpuMs),
        worldMs: measured.worldCpuMs,
      },
      memory: {
        startRssMb: measured.startRssMb,
        peakRssMb: measured.peakRssMb,
        peakHeapMb: measured.peakHeapMb,
      },
      llm: {
        ...run.llm,
        callsPer1000: per1000(run.llm.calls),
        tokensPer1000: per1000(run.llm.inputTokens + run.llm.outputTokens),
        costPer1000Usd: per1000(run.llm.costUsd),
        fakeServerCalls: llmAfter.calls - llmBefore.calls,
      },
      store: { ...storeOps(svc.counts.store, messages), byMethod: { ...svc.counts.store } },
      tasks: { ...svc.counts.tasks },
    };
  } finally {
    await bench.close();
  }
}

export type FullScanResult = Awaited<ReturnType<typeof fullScan>>;
