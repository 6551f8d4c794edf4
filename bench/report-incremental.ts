import { table } from './report.js';
import type { ComingOfAgeResult } from './scenario-coming-of-age.js';
import type { IncrementalResult } from './scenario-incremental.js';

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Gmail's daily budget per project: what ongoing cleanup's units per message are held to. */
const PROJECT_UNITS_PER_DAY = 80_000_000;

export function incrementalTable(results: readonly IncrementalResult[]): string {
  return table(
    [
      'Classifier',
      'Rounds (new messages)',
      'Mix: known senders / people / new senders',
      'Units/new msg',
      'gets/new msg',
      'To decision (mean / max)',
      'To Trash (mean / max)',
      'New msgs/day in 80 M units',
    ],
    results.map((r) => [
      r.classifier,
      r.rounds.map((x) => x.messages).join(' + '),
      `${r.known} / ${r.people} / ${r.delivered - r.known - r.people}`,
      n(r.gmail.unitsPerMessage, 1),
      n(r.gmail.getsPerMessage, 2),
      `${n(r.time.meanDecidedMs / 1000, 1)} s / ${n(r.time.maxDecidedMs / 1000, 1)} s`,
      `${n(r.time.meanRoundMs / 1000, 1)} s / ${n(r.time.maxRoundMs / 1000, 1)} s`,
      `${n(PROJECT_UNITS_PER_DAY / r.gmail.unitsPerMessage / 1e6, 1)} M`,
    ]),
  );
}

/** Users whose fixed daily cost the quiet-user line prices. */
const USERS = 100_000;

/** `method calls/units` for each method, busiest first. */
function methods(byMethod: ComingOfAgeResult['pass']['byMethod'], digits = 0): string {
  return Object.entries(byMethod)
    .sort(([, a], [, b]) => b.units - a.units)
    .map(
      ([m, c]) =>
        `${m.replace(/^users\.(messages\.)?/, '')} ${n(c.calls, digits)}/${n(c.units, digits)}u`,
    )
    .join(', ');
}

/**
 * Ongoing cleanup at the default minimum age: what the syncs spent on the new mail, what the
 * coming-of-age pass a month later spent (the cron's day, without the watch renewal), the
 * total per new message, and what each trashed of the delivered mail.
 */
export function comingOfAgeTable(results: readonly ComingOfAgeResult[]): string {
  return table(
    [
      'Classifier',
      'Min age',
      'Rounds (new messages)',
      'Mix: known senders / people / new senders',
      'Syncs: units/new msg',
      'Pass: units/new msg',
      'Total units/new msg',
      'Trashed: syncs / pass (of delivered)',
      'New msgs/day in 80 M units',
    ],
    results.map((r) => [
      r.classifier,
      `${r.minAgeDays} days`,
      r.rounds.map((x) => x.messages).join(' + '),
      `${r.known} / ${r.people} / ${r.delivered - r.known - r.people}`,
      n(r.syncs.unitsPerMessage, 1),
      n(r.pass.unitsPerMessage, 1),
      n(r.unitsPerMessage, 1),
      `${r.syncs.trashed} / ${r.pass.trashedDelivered} (of ${r.delivered}; people's: ${r.peopleTrashed})`,
      `${n(PROJECT_UNITS_PER_DAY / r.unitsPerMessage / 1e6, 1)} M`,
    ]),
  );
}

/**
 * Per classifier: the pass day's calls and units by method (what the cron call a month on
 * cost, the renewal of the lapsed watch included, and what the pass looked at), and the quiet
 * user's daily cost: the mean over the quiet days, by method, and for 100,000 such users
 * against the project's 80 M daily units.
 */
export function comingOfAgeLines(results: readonly ComingOfAgeResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const { pass, quiet } = r;
    const looked = pass.passes.reduce((k, p) => k + p.total, 0);
    const trashed = pass.passes.reduce((k, p) => k + p.trashed, 0);
    const renewals = quiet.renewalsByDay.reduce((k, x) => k + x, 0);
    const fixed = quiet.unitsPerDay * USERS;
    lines.push(
      `- ${r.classifier}, the cron a month on: ${n(pass.units)} units (${methods(pass.byMethod)}); ` +
        `watch ${pass.watchLapsed ? 'lapsed, renewed' : 'renewed'}, ${pass.otherRuns} run(s) besides the pass (a catch-up, had history expired); ` +
        `the pass trashed ${trashed} of the ${looked} messages it looked at: ${pass.trashedDelivered} of the ${r.delivered} new ones, ` +
        `${trashed - pass.trashedDelivered} that the full scan had kept for being young.`,
      `- ${r.classifier}, a quiet user's daily cron (mean of ${quiet.days} days, no new mail): ` +
        `${n(quiet.unitsPerDay, 1)} units/day (${methods(quiet.byMethodPerDay, 1)}); ` +
        `${renewals} watch renewal(s) in ${quiet.days} days; ${n(USERS)} such users: ` +
        `${n(fixed / 1e6, 1)} M units/day, ${n((fixed / PROJECT_UNITS_PER_DAY) * 100, 1)}% of 80 M.`,
    );
  }
  return lines.join('\n');
}
