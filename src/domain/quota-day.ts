/**
 * Gmail's daily project quota (80 M units), and the full scans let into it. Google resets
 * daily quotas at midnight Pacific time, so a quota day is a Pacific calendar day. A full scan
 * is admitted when its estimated units fit what is left of the day: units spent, plus units
 * promised to the scans admitted and not yet finished. Ongoing cleanup (syncs, catch-ups,
 * coming of age) is never asked: it only spends, and Gmail's own refusal is the hard stop.
 */

export const DEFAULT_PROJECT_UNITS_PER_DAY = 80_000_000;

/** The time zone of Google's daily quota resets. */
const QUOTA_ZONE = 'America/Los_Angeles';

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: QUOTA_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Pacific wall-clock time at `at`, read as if it were UTC, minus `at`: the zone's offset. */
function offsetAt(at: number): number {
  const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(at / 1000) * 1000;
}

export interface QuotaDayBounds {
  /** The Pacific date, `YYYY-MM-DD`. */
  readonly day: string;
  /** When it began and when the next one begins (epoch ms): Pacific midnights. */
  readonly startsAt: number;
  readonly endsAt: number;
}

/** The quota day `now` falls in. */
export function quotaDayOf(now: number): QuotaDayBounds {
  const wall = new Date(now + offsetAt(now));
  const y = wall.getUTCFullYear();
  const m = wall.getUTCMonth();
  const d = wall.getUTCDate();
  // Daylight saving changes at 2 am, never at midnight: each midnight's own offset is exact.
  const midnight = (date: number) => {
    const guess = date - offsetAt(date);
    return date - offsetAt(guess);
  };
  return {
    day: new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10),
    startsAt: midnight(Date.UTC(y, m, d)),
    endsAt: midnight(Date.UTC(y, m, d + 1)),
  };
}

/** One budget's account of a quota day: what was spent and what admitted scans may spend. */
export interface DayLedger {
  readonly day: string;
  readonly spent: number;
  /** Units promised to each admitted full scan, by scan key (its run id). */
  readonly scans: Readonly<Record<string, number>>;
}

/** The ledger for the day of `now`: yesterday's counts are gone. */
export function dayLedgerAt(ledger: DayLedger | undefined, now: number): DayLedger {
  const { day } = quotaDayOf(now);
  return ledger?.day === day ? ledger : { day, spent: 0, scans: {} };
}

export function committedUnits(ledger: DayLedger): number {
  return Object.values(ledger.scans).reduce((sum, units) => sum + units, 0);
}

/** Units spent today by Gmail calls. */
export function spendInDay(ledger: DayLedger | undefined, units: number, now: number): DayLedger {
  const today = dayLedgerAt(ledger, now);
  return { ...today, spent: today.spent + units };
}

/**
 * Admits the scan if its units fit what is left of `budget` today (a scan admitted already is
 * admitted again, counted once). A scan larger than half a day's budget counts as half, or it
 * could never start: the per-user budget spreads it over days anyway (6,000 units a minute is
 * 8.6 M a day).
 */
export function admitToDay(
  ledger: DayLedger | undefined,
  ask: {
    readonly scanKey: string;
    readonly units: number;
    readonly budget: number;
    readonly now: number;
  },
): { readonly ledger: DayLedger; readonly admitted: boolean } {
  const today = dayLedgerAt(ledger, ask.now);
  if (ask.scanKey in today.scans) return { ledger: today, admitted: true };
  const units = Math.ceil(Math.min(Math.max(0, ask.units), ask.budget / 2));
  if (today.spent + committedUnits(today) + units > ask.budget) {
    return { ledger: today, admitted: false };
  }
  return { ledger: { ...today, scans: { ...today.scans, [ask.scanKey]: units } }, admitted: true };
}

/** The scan ended: its promise leaves the day (what it spent stays spent). */
export function releaseFromDay(ledger: DayLedger | undefined, scanKey: string, now: number) {
  const today = dayLedgerAt(ledger, now);
  const { [scanKey]: _released, ...scans } = today.scans;
  return { ...today, scans };
}
