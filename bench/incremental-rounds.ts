import type { Run } from '../src/domain/model.js';
import type { MailboxShape } from '../src/local/google/mailbox-generator.js';
import { type Bench, type Latency, openBench } from './setup.js';

/**
 * A round of new mail: `junk` promotions (`known` of them from senders the mailbox already has
 * mail of) and `people` personal messages.
 */
export interface MailRound {
  readonly junk: number;
  readonly people: number;
  readonly known: number;
}

export interface RoundResult {
  readonly messages: number;
  readonly known: number;
  readonly trashed: number;
  /** Real ms from delivery to every run of the round DONE (its Trash call made). */
  readonly ms: number;
  /** Real ms from delivery to every new message decided. */
  readonly decidedMs: number;
  readonly workMs: number;
}

export const OWNER = 'watched@example.com';
const TOPIC = 'projects/bench/topics/gmail';
const TOKEN = 'bench-push-verification-token';

export interface WatchedBench {
  readonly bench: Bench;
  readonly userId: string;
}

/**
 * A scanned, watched 100-message mailbox (head-heavy unless `shape` says otherwise) whose Gmail
 * notifications reach /push/gmail.
 * `minAgeDays`: the owner's minimum age (the default policy's when undefined).
 */
export async function watchedMailbox(
  latency: Latency,
  classifier: 'openai' | 'rules',
  minAgeDays: number | undefined,
  shape?: MailboxShape,
): Promise<WatchedBench> {
  const bench = await openBench(latency, [{ email: OWNER, size: 100, seed: 8, shape }], {
    PUBSUB_TOPIC: TOPIC,
    PUSH_VERIFICATION_TOKEN: TOKEN,
  });
  try {
    const { svc, world } = bench;
    const userId = bench.subs[0]!;
    await world.call.pushTo(TOPIC, `${svc.url}/push/gmail?token=${TOKEN}`);
    const client = await svc.signUp(OWNER, classifier);
    if (minAgeDays !== undefined) {
      const user = await svc.peek.getUser(userId);
      await svc.peek.updateUser(userId, { policy: { ...user!.policy, minAgeDays } });
    }
    await svc.waitRun(await svc.startRun(client));
    await until(async () => {
      const watched = await svc.peek.getUser(userId);
      return watched?.cursor && watched.watch ? true : undefined;
    });
    await svc.service.queue.idle();
    return { bench, userId };
  } catch (error) {
    await bench.close();
    throw error;
  }
}

/**
 * Delivers the rounds as mail comes, one after another: each once the previous one is decided
 * (not trashed: a sync's trash waits in the outbox for the next syncs'); then waits for every
 * sync run to be DONE. Returns per round what it cost in time and what went to Trash, the ids
 * delivered, and those of people's mail among them.
 */
export async function deliverRounds({ bench, userId }: WatchedBench, rounds: readonly MailRound[]) {
  const { svc, world } = bench;
  const ids: string[] = [];
  /** Personal messages: each round delivers them last. */
  const people: string[] = [];
  const pending: { sent: number; ids: readonly string[]; runs: Run[]; decidedMs: number }[] = [];
  for (const [i, round] of rounds.entries()) {
    const seen = new Set((await incrementalRuns()).map((run) => run.id));
    const sent = Date.now();
    const delivered = await world.call.deliver(
      OWNER,
      round.junk,
      round.people,
      100 + i,
      round.known,
    );
    ids.push(...delivered);
    people.push(...delivered.slice(delivered.length - round.people));
    const runs = await until(async () => {
      const fresh = (await incrementalRuns()).filter((run) => !seen.has(run.id));
      return (await decided(fresh)) >= delivered.length ? fresh : undefined;
    });
    pending.push({ sent, ids: delivered, runs, decidedMs: Date.now() - sent });
    // Gmail sends at most one notification a second per user: leave a gap between rounds.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
  const results: RoundResult[] = [];
  for (const [i, round] of pending.entries()) {
    const done = await until(async () => {
      const runs = await Promise.all(round.runs.map((run) => svc.peek.getRun(run.id)));
      return runs.every((run) => run?.status === 'DONE') ? (runs as Run[]) : undefined;
    });
    const endedAt = Math.max(...done.map((run) => run.endedAt!));
    results.push({
      messages: round.ids.length,
      known: rounds[i]!.known,
      trashed: await world.call.trashed(OWNER, round.ids),
      ms: endedAt - round.sent,
      decidedMs: round.decidedMs,
      workMs: done.reduce((n, run) => n + (run.endedAt! - run.scheduledAt), 0),
    });
  }
  await svc.service.queue.idle();
  return { ids, people, rounds: results };

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
}

/** Gmail's calls and units by method, from the simulated Google's stats. */
export function byMethod(methods: Readonly<Record<string, { calls: number; units: number }>>) {
  return Object.fromEntries(
    Object.entries(methods).map(([m, c]) => [m, { calls: c.calls, units: c.units }]),
  );
}

export async function until<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
