import { FINAL_STATUSES, RUN_STATUSES, type Run, type RunKind, type RunStatus } from './model.js';

/** How many users are in which state. */
export interface UserFigures {
  readonly total: number;
  /** With a refresh token that still works. */
  readonly connected: number;
  /** With a Gmail watch that has not expired. */
  readonly watching: number;
  /** Google refused their refresh token: they must sign in again. */
  readonly needingSignIn: number;
}

/** What a stats source reads; the summary is computed the same way for every adapter. */
export interface StatsSource {
  users(now: number): Promise<UserFigures>;
  /** Runs scheduled at or after `since`, newest first, at most `limit`. */
  runsSince(since: number, limit: number): Promise<Run[]>;
  /** Runs not yet final (any age), at most `limit`. */
  runsInProgress(limit: number): Promise<Run[]>;
}

/** The day's runs, summed. No run id (it is a capability) and no personal data. */
export interface RunFigures {
  readonly since: number;
  /** Runs counted; `truncated` when there were more than the source was asked for. */
  readonly count: number;
  readonly truncated: boolean;
  readonly byKind: Record<RunKind, Record<RunStatus, number>>;
  readonly messagesDecided: number;
  readonly messagesTrashed: number;
  readonly bytesTrashed: number;
  readonly messagesFailed: number;
  readonly llm: { readonly calls: number; readonly costUsd: number };
  readonly oldestInProgress: {
    readonly kind: RunKind;
    readonly status: RunStatus;
    readonly scheduledAt: number;
    readonly ageMs: number;
  } | null;
}

export const STATS_WINDOW_MS = 24 * 60 * 60 * 1_000;
/** Runs summed per request: beyond that the figures say they are truncated. */
export const STATS_RUN_LIMIT = 5_000;

const zeroStatuses = (): Record<RunStatus, number> =>
  Object.fromEntries(RUN_STATUSES.map((status) => [status, 0])) as Record<RunStatus, number>;

/** Sums the last day's runs and finds the oldest run still in progress. */
export function summarizeRuns(
  recent: readonly Run[],
  inProgress: readonly Run[],
  options: { now: number; since: number; limit: number },
): RunFigures {
  const counted = recent.slice(0, options.limit);
  const byKind: Record<RunKind, Record<RunStatus, number>> = {
    full: zeroStatuses(),
    incremental: zeroStatuses(),
  };
  let decided = 0;
  let trashed = 0;
  let bytes = 0;
  let failed = 0;
  let calls = 0;
  let cost = 0;
  for (const run of counted) {
    byKind[run.kind][run.status]++;
    decided += run.counters.processed;
    trashed += run.counters.trashed;
    bytes += run.counters.bytesTrashed;
    failed += run.counters.failed;
    calls += run.llm.calls;
    cost += run.llm.costUsd;
  }
  const oldest = inProgress
    .filter((run) => !FINAL_STATUSES.includes(run.status))
    .sort((a, b) => a.scheduledAt - b.scheduledAt)[0];
  return {
    since: options.since,
    count: counted.length,
    truncated: recent.length > options.limit,
    byKind,
    messagesDecided: decided,
    messagesTrashed: trashed,
    bytesTrashed: bytes,
    messagesFailed: failed,
    llm: { calls, costUsd: Math.round(cost * 1e6) / 1e6 },
    oldestInProgress: oldest
      ? {
          kind: oldest.kind,
          status: oldest.status,
          scheduledAt: oldest.scheduledAt,
          ageMs: options.now - oldest.scheduledAt,
        }
      : null,
  };
}

/** Reads the day's figures from a source. */
export async function collectStoreFigures(source: StatsSource, now: number) {
  const since = now - STATS_WINDOW_MS;
  const [users, recent, inProgress] = await Promise.all([
    source.users(now),
    source.runsSince(since, STATS_RUN_LIMIT + 1),
    source.runsInProgress(200),
  ]);
  return {
    users,
    runs: summarizeRuns(recent, inProgress, { now, since, limit: STATS_RUN_LIMIT }),
  };
}
