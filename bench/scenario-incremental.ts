import type { Run } from '../src/domain/model.js';
import { type Latency, openBench } from './setup.js';
import { storeOps } from './store-calls.js';

export interface IncrementalArgs {
  /**
   * Rounds of new mail; each delivers `junk` promotions (`known` of them from senders the
   * mailbox already has mail of) and `people` personal messages.
   */
  readonly rounds: readonly {
    readonly junk: number;
    readonly people: number;
    readonly known: number;
  }[];
  readonly latency: Latency;
  readonly classifier: 'openai' | 'rules';
}

const OWNER = 'watched@example.com';
const TOPIC = 'projects/bench/topics/gmail';
const TOKEN = 'bench-push-verification-token';

/**
 * Ongoing cleanup through the push path, in real time: a scanned, watched mailbox gets new
 * mail; Gmail's notification is POSTed to /push/gmail, the coalesced sync task reads history
 * and runs the new messages through the batch pipeline. Measured per round from delivery to
 * every new message decided, and to the incremental run being done (its Trash call made), and
 * Gmail units per new message.
 */
export async function incremental(args: IncrementalArgs) {
  const bench = await openBench(args.latency, [{ email: OWNER, size: 100, seed: 8 }], {
    PUBSUB_TOPIC: TOPIC,
    PUSH_VERIFICATION_TOKEN: TOKEN,
  });
  try {
    const { svc, world } = bench;
    const userId = bench.subs[0]!;
    await world.call.pushTo(TOPIC, `${svc.url}/push/gmail?token=${TOKEN}`);
    const client = await svc.signUp(OWNER, args.classifier);
    // New mail is minutes old: let the policy judge it (the default waits 30 days).
    const user = await svc.peek.getUser(userId);
    await svc.peek.updateUser(userId, { policy: { ...user!.policy, minAgeDays: 0 } });
    await svc.waitRun(await svc.startRun(client));
    await until(async () => {
      const watched = await svc.peek.getUser(userId);
      return watched?.cursor && watched.watch ? true : undefined;
    });
    await svc.service.queue.idle();
    await world.call.resetStats();
    svc.resetCounts();
    const started = Date.now();

    const rounds: {
      messages: number;
      known: number;
      trashed: number;
      ms: number;
      decidedMs: number;
      workMs: number;
    }[] = [];
    // Rounds come as mail does, one after another: each is delivered once the previous one is
    // decided (not trashed: a sync's trash waits in the outbox for the next syncs').
    let delivered = 0;
    const pending: { sent: number; ids: readonly string[]; runs: Run[]; decidedMs: number }[] = [];
    for (const [i, round] of args.rounds.entries()) {
      const seen = new Set((await incrementalRuns()).map((run) => run.id));
      const sent = Date.now();
      const ids = await world.call.deliver(OWNER, round.junk, round.people, 100 + i, round.known);
      delivered += ids.length;
      const runs = await until(async () => {
        const fresh = (await incrementalRuns()).filter((run) => !seen.has(run.id));
        return (await decided(fresh)) >= ids.length ? fresh : undefined;
      });
      pending.push({ sent, ids, runs, decidedMs: Date.now() - sent });
      // Gmail sends at most one notification a second per user: leave a gap between rounds.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    for (const [i, round] of pending.entries()) {
      const done = await until(async () => {
        const runs = await Promise.all(round.runs.map((run) => svc.peek.getRun(run.id)));
        return runs.every((run) => run?.status === 'DONE') ? (runs as Run[]) : undefined;
      });
      const endedAt = Math.max(...done.map((run) => run.endedAt!));
      rounds.push({
        messages: round.ids.length,
        known: args.rounds[i]!.known,
        trashed: await world.call.trashed(OWNER, round.ids),
        ms: endedAt - round.sent,
        decidedMs: round.decidedMs,
        workMs: done.reduce((n, run) => n + (run.endedAt! - run.scheduledAt), 0),
      });
    }
    await svc.service.queue.idle();
    const wallSeconds = (Date.now() - started) / 1000;
    const stats = await world.call.stats(OWNER);
    const per = (n: number) => n / delivered;
    return {
      scenario: 'incremental' as const,
      classifier: args.classifier,
      delivered,
      known: rounds.reduce((n, r) => n + r.known, 0),
      people: args.rounds.reduce((n, r) => n + r.people, 0),
      trashed: rounds.reduce((n, r) => n + r.trashed, 0),
      rounds,
      gmail: {
        units: stats.totalUnits,
        unitsPerMessage: per(stats.totalUnits),
        getsPerMessage: per(stats.methods['users.messages.get']?.calls ?? 0),
        byMethod: Object.fromEntries(
          Object.entries(stats.methods).map(([m, c]) => [m, { calls: c.calls, units: c.units }]),
        ),
        rateLimited: stats.rateLimited,
        notifications: stats.notifier,
      },
      time: {
        wallSeconds,
        meanRoundMs: rounds.reduce((n, r) => n + r.ms, 0) / rounds.length,
        meanDecidedMs: rounds.reduce((n, r) => n + r.decidedMs, 0) / rounds.length,
        maxDecidedMs: Math.max(...rounds.map((r) => r.decidedMs)),
        maxRoundMs: Math.max(...rounds.map((r) => r.ms)),
        meanWorkMs: rounds.reduce((n, r) => n + r.workMs, 0) / rounds.length,
      },
      store: storeOps(svc.counts.store, delivered),
      tasks: { ...svc.counts.tasks },
    };

    /** Messages of these runs with a saved decision (their batch is decided or done). */
    async function decided(runs: readonly Run[]): Promise<number> {
      let count = 0;
      for (const run of runs) {
        for (const batch of await svc.peek.listBatches(run.id)) {
          if (batch.status !== 'pending') count += batch.messageIds.length;
        }
      }
      return count;
    }

    async function incrementalRuns(): Promise<Run[]> {
      return (await svc.peek.listRuns(userId, 100)).filter((run) => run.kind === 'incremental');
    }
  } finally {
    await bench.close();
  }
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export type IncrementalResult = Awaited<ReturnType<typeof incremental>>;
