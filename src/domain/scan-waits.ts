import type { Run } from './model.js';

/**
 * A full scan that does not fit what is left of the day's Gmail budget stays QUEUED with this
 * line at the end of its log: the plain words the status page shows, and the planned start
 * the API and the pages read back, with no new field in the store.
 */
const PREFIX = "Waiting in line for Gmail's daily quota";
const AT = /starts at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/;

/** The log line of a scan that starts at `startsAt` (epoch ms, a Pacific midnight). */
export function dailyQuotaWait(startsAt: number): string {
  const at = new Date(startsAt).toISOString();
  return `${PREFIX}: the scans already started today use what Google allows this service until midnight Pacific time. This scan starts at ${at.slice(0, 10)} ${at.slice(11, 16)} UTC; new mail keeps being cleaned meanwhile.`;
}

/** When a QUEUED scan waiting for the day's quota is planned to start (epoch ms), if it waits. */
export function plannedStartOf(run: Pick<Run, 'status' | 'errors'>): number | undefined {
  if (run.status !== 'QUEUED') return undefined;
  const last = run.errors.at(-1)?.message;
  if (!last?.startsWith(PREFIX)) return undefined;
  const match = AT.exec(last);
  return match ? Date.parse(`${match[1]!.replace(' ', 'T')}:00Z`) : undefined;
}

/** A scan waiting for the day's quota holds nothing back: syncs and other passes go on. */
export function waitsForDailyQuota(run: Pick<Run, 'status' | 'errors'>): boolean {
  return plannedStartOf(run) !== undefined;
}
