import { isComingOfAge } from '../src/domain/coming-of-age-log.js';
import type { Run } from '../src/domain/model.js';
import type { CronResult } from '../src/jobs/watch-renewal.js';
import type { MailboxShape } from '../src/local/google/mailbox-generator.js';
import {
  byMethod,
  deliverRounds,
  type MailRound,
  OWNER,
  until,
  watchedMailbox,
} from './incremental-rounds.js';
import type { Latency } from './setup.js';

export interface ComingOfAgeArgs {
  /** Rounds of new mail, delivered one after another (as the incremental scenario's). */
  readonly rounds: readonly MailRound[];
  readonly latency: Latency;
  /** The scanned mailbox's shape (head-heavy when absent). */
  readonly shape?: MailboxShape;
  readonly classifier: 'openai' | 'rules';
  /** Days with no new mail after the pass, each with its cron call. */
  readonly quietDays: number;
}

const DAY = 86_400_000;
/**
 * Warped time runs this much faster once the rounds are over: the syncs' delays and the
 * outbox's quiet spell pass quickly, and a day's work is far below the per-minute budgets.
 */
const AFTER_ROUNDS_WARP = 10;
/** Real ms the task queue must stay empty to count as settled (a late push may still come). */
const SETTLED_FOR_MS = 1_500;

type Methods = ReturnType<typeof byMethod>;

interface CronDay {
  /** What `POST /cron/renew-watches` answered. */
  readonly answer: CronResult;
  readonly units: number;
  readonly byMethod: Methods;
  /** Runs the day made: coming-of-age passes, and others (a catch-up when history expired). */
  readonly passes: readonly Run[];
  readonly otherRuns: number;
  /** Tasks that failed for good during the day. */
  readonly deadTasks: number;
}

/**
 * Ongoing cleanup at the default minimum age (30 days): the same rounds of new mail as the
 * incremental scenario, whose syncs keep what is too young to judge; then the clocks of the
 * service and of the simulated Google jump a month forward and the daily cron is called as the
 * scheduler calls it. Its coming-of-age pass finds the mail that is old enough now and trashes
 * what the policy says. Then quiet days, one cron call each with no new mail: a user's fixed
 * daily cost (watch renewal when due, the pass's searches, the catch-up sync).
 * Gmail units are counted by the simulated Google, per day of the cron, by method.
 */
export async function comingOfAge(args: ComingOfAgeArgs) {
  const watched = await watchedMailbox(args.latency, args.classifier, undefined, args.shape);
  const { bench, userId } = watched;
  try {
    const { svc, world } = bench;
    const minAgeDays = (await svc.peek.getUser(userId))!.policy.minAgeDays;
    await world.call.resetStats();
    const { ids, people, rounds } = await deliverRounds(watched, args.rounds);
    await settle();
    const delivered = ids.length;
    const syncs = await world.call.stats(OWNER);
    const syncTrashed = await world.call.trashed(OWNER, ids);

    await bench.speedUp(AFTER_ROUNDS_WARP);
    await bench.jump((minAgeDays + 1) * DAY);
    // A month on, the watch Gmail gave a week has lapsed: the cron's renewal is counted.
    const watchLapsed =
      (await svc.peek.getUser(userId))!.watch!.expiration < bench.warp.clock.now();
    const passDay = await cronDay();
    const trashedByPass = (await world.call.trashed(OWNER, ids)) - syncTrashed;

    const quiet: CronDay[] = [];
    for (let day = 0; day < args.quietDays; day++) {
      await bench.jump(DAY);
      quiet.push(await cronDay());
    }
    const quietUnits = quiet.reduce((n, d) => n + d.units, 0);
    const passUnits = passDay.units - (passDay.byMethod['users.watch']?.units ?? 0);
    return {
      scenario: 'coming-of-age' as const,
      classifier: args.classifier,
      minAgeDays,
      delivered,
      known: rounds.reduce((n, r) => n + r.known, 0),
      people: args.rounds.reduce((n, r) => n + r.people, 0),
      rounds,
      syncs: {
        units: syncs.totalUnits,
        unitsPerMessage: syncs.totalUnits / delivered,
        byMethod: byMethod(syncs.methods),
        trashed: syncTrashed,
        rateLimited: syncs.rateLimited,
      },
      pass: {
        ...passDay,
        passes: passDay.passes.map(summary),
        /** The day's units but a watch renewal's (a weekly cost of the user, not of the mail). */
        unitsWithoutWatch: passUnits,
        unitsPerMessage: passUnits / delivered,
        trashedDelivered: trashedByPass,
        watchLapsed,
      },
      unitsPerMessage: (syncs.totalUnits + passUnits) / delivered,
      trashed: syncTrashed + trashedByPass,
      /** People's mail in Trash at the end: the rules and the LLM keep it. */
      peopleTrashed: await world.call.trashed(OWNER, people),
      quiet: {
        days: quiet.length,
        unitsPerDay: quietUnits / Math.max(1, quiet.length),
        byMethodPerDay: perDay(quiet),
        unitsByDay: quiet.map((d) => d.units),
        renewalsByDay: quiet.map((d) => d.byMethod['users.watch']?.calls ?? 0),
        passes: quiet.reduce((n, d) => n + d.passes.length, 0),
        otherRuns: quiet.reduce((n, d) => n + d.otherRuns, 0),
        deadTasks: quiet.reduce((n, d) => n + d.deadTasks, 0),
      },
    };

    /**
     * One day's cron call, through the cron route with the local scheduler's credentials, and
     * everything it queued, to the end. Nothing else calls it: the bench service starts its
     * queue only, never the local hourly timer (service.ts).
     */
    async function cronDay(): Promise<CronDay> {
      const seen = new Set((await svc.peek.listRuns(userId, 200)).map((run) => run.id));
      const dead = svc.service.queue.counts().dead;
      await world.call.resetStats();
      const response = await svc.service.runCron();
      if (!response.ok) throw new Error(`POST /cron/renew-watches: ${response.status}`);
      const answer = (await response.json()) as CronResult;
      await settle();
      const runs = (await svc.peek.listRuns(userId, 200)).filter((run) => !seen.has(run.id));
      const passes = runs.filter(isComingOfAge);
      for (const run of passes) {
        if (run.status !== 'DONE') throw new Error(`coming-of-age run ${run.status}`);
      }
      const stats = await world.call.stats(OWNER);
      return {
        answer,
        units: stats.totalUnits,
        byMethod: byMethod(stats.methods),
        passes,
        otherRuns: runs.length - passes.length,
        deadTasks: svc.service.queue.counts().dead - dead,
      };
    }

    /** Until no task is queued (delayed ones included) or running for SETTLED_FOR_MS. */
    async function settle(): Promise<void> {
      let quietSince: number | undefined;
      await until(async () => {
        const { pending, running } = svc.service.queue.counts();
        if (pending + running > 0) quietSince = undefined;
        else quietSince ??= Date.now();
        return quietSince !== undefined && Date.now() - quietSince >= SETTLED_FOR_MS
          ? true
          : undefined;
      }, 180_000).catch((error) => {
        const pending = Object.fromEntries(svc.service.queue.pendingByPath());
        throw new Error(`tasks still queued: ${JSON.stringify(pending)} (${error})`);
      });
    }
  } finally {
    await bench.close();
  }
}

function summary(run: Run) {
  return {
    status: run.status,
    total: run.total,
    ...run.counters,
    note: run.errors[0]?.message ?? '',
  };
}

/** Mean calls and units per day, by Gmail method. */
function perDay(days: readonly CronDay[]): Methods {
  const sum: Methods = {};
  for (const day of days) {
    for (const [method, c] of Object.entries(day.byMethod)) {
      const into = sum[method] ?? { calls: 0, units: 0 };
      sum[method] = { calls: into.calls + c.calls, units: into.units + c.units };
    }
  }
  const n = Math.max(1, days.length);
  return Object.fromEntries(
    Object.entries(sum).map(([m, c]) => [m, { calls: c.calls / n, units: c.units / n }]),
  );
}

export type ComingOfAgeResult = Awaited<ReturnType<typeof comingOfAge>>;
