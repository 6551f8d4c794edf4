import type { MailboxShape } from '../src/local/google/mailbox-generator.js';
import type { MailRound } from './incremental-rounds.js';
import type { RunScenario } from './plan.js';
import type { ComingOfAgeResult } from './scenario-coming-of-age.js';
import type { IncrementalResult } from './scenario-incremental.js';
import type { Latency } from './setup.js';

/**
 * Ongoing cleanup's rounds of new mail, most of it from senders the full scan decided: per
 * round of m messages, a fifth from people, a tenth (at least one) from new bulk senders, the
 * rest promotions from known ones. Both classifiers: the LLM reads people's mail, the rules
 * keep it from its labels.
 */
export async function runIncremental(
  quick: boolean,
  latency: Latency,
  run: RunScenario,
  shape?: MailboxShape,
) {
  const rounds = incrementalRounds(quick);
  const results: IncrementalResult[] = [];
  for (const classifier of ['openai', 'rules'] as const) {
    results.push(
      await run<IncrementalResult>(
        'incremental',
        { rounds, latency, classifier, shape },
        `incremental (push, ${classifier}${shape ? `, ${shape}` : ''})`,
      ),
    );
  }
  return results;
}

function incrementalRounds(quick: boolean): MailRound[] {
  const sizes = quick ? [5, 25] : [5, 5, 1, 25, 50];
  return sizes.map((m) => {
    const people = Math.floor(m / 5);
    const junk = m - people;
    return { junk, people, known: Math.max(0, junk - Math.max(1, Math.ceil(m / 10))) };
  });
}

/** Quiet days after the pass: two of the watch's 5-day renewal cycles (renewed 2 days early). */
const QUIET_DAYS = 10;

/**
 * The same rounds at the default minimum age (30 days), both classifiers: the syncs keep the
 * young mail, and a month later the daily cron's coming-of-age pass trashes it; then quiet
 * days, each with its cron call and no new mail. The "known" senders are known to the mailbox:
 * at this age the full scan decided only those with mail older than 30 days.
 */
export async function runComingOfAge(
  quick: boolean,
  latency: Latency,
  run: RunScenario,
  shape?: MailboxShape,
) {
  const rounds = incrementalRounds(quick);
  const results: ComingOfAgeResult[] = [];
  for (const classifier of ['openai', 'rules'] as const) {
    results.push(
      await run<ComingOfAgeResult>(
        'coming-of-age',
        { rounds, latency, classifier, shape, quietDays: quick ? 3 : QUIET_DAYS },
        `incremental at the default minimum age, a month on (${classifier}${shape ? `, ${shape}` : ''})`,
      ),
    );
  }
  return results;
}
