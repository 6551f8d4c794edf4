import type { MailboxShape } from '../src/local/google/mailbox-generator.js';
import {
  byMethod,
  deliverRounds,
  type MailRound,
  OWNER,
  watchedMailbox,
} from './incremental-rounds.js';
import type { Latency } from './setup.js';
import { storeOps } from './store-calls.js';

export interface IncrementalArgs {
  /** Rounds of new mail, delivered one after another. */
  readonly rounds: readonly MailRound[];
  readonly latency: Latency;
  /** The scanned mailbox's shape (head-heavy when absent). */
  readonly shape?: MailboxShape;
  readonly classifier: 'openai' | 'rules';
}

/**
 * Ongoing cleanup through the push path, in real time: a scanned, watched mailbox gets new
 * mail; Gmail's notification is POSTed to /push/gmail, the coalesced sync task reads history
 * and runs the new messages through the batch pipeline. Measured per round from delivery to
 * every new message decided, and to the incremental run being done (its Trash call made), and
 * Gmail units per new message. New mail is minutes old: the minimum age is 0 days so that the
 * policy judges it on arrival (scenario-coming-of-age.ts measures the default's 30 days).
 */
export async function incremental(args: IncrementalArgs) {
  const watched = await watchedMailbox(args.latency, args.classifier, 0, args.shape);
  const { bench } = watched;
  try {
    const { svc, world } = bench;
    await world.call.resetStats();
    svc.resetCounts();
    const started = Date.now();
    const { ids, rounds } = await deliverRounds(watched, args.rounds);
    const delivered = ids.length;
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
        byMethod: byMethod(stats.methods),
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
  } finally {
    await bench.close();
  }
}

export type IncrementalResult = Awaited<ReturnType<typeof incremental>>;
