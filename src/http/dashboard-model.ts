import { isComingOfAge, isSkippedPass } from '../domain/coming-of-age-log.js';
import { FINAL_STATUSES, type Run, type User } from '../domain/model.js';
import { estimateScan, type ScanEstimate } from '../domain/scan-estimate.js';
import { undoState } from '../domain/undo-log.js';
import { type RunView, runView } from './run-view.js';

/** What the dashboard shows, read from the user and their latest runs. */
export interface DashboardModel {
  readonly runs: readonly RunView[];
  readonly needsReconnect: boolean;
  readonly hasKey: boolean;
  /** A full scan under way: the page links to it instead of offering a new one. */
  readonly activeScan: RunView | undefined;
  readonly hasScan: boolean;
  readonly estimate: ScanEstimate | undefined;
  readonly cleanup: CleanupState;
}

/** Automatic cleanup (Gmail watch + incremental runs) since the last finished full scan. */
export interface CleanupState {
  readonly watch: User['watch'];
  /** When the history cursor last moved: the last look at the mailbox's changes. */
  readonly lastSyncAt: number | null;
  /** End of the last finished full scan: automatic cleanup counts from there. */
  readonly since: number | null;
  readonly runs: number;
  /** The counts come from the latest runs only: there may be more. */
  readonly atLeast: boolean;
  readonly trashed: number;
  readonly bytes: number;
  /** The coming-of-age passes among those runs: mail kept while young, looked at again. */
  readonly comingOfAge: {
    readonly lastAt: number | null;
    readonly runs: number;
    readonly trashed: number;
    readonly bytes: number;
  };
}

export interface QuotaFacts {
  readonly units: Parameters<typeof estimateScan>[1];
  readonly userUnitsPerMinute: number;
}

/** Runs listed on the dashboard; automatic runs that found nothing are left out. */
const SHOWN_RUNS = 10;

/** How many of the latest runs the dashboard reads. */
export const DASHBOARD_RUNS = 100;

export function dashboardModel(
  user: User,
  runs: readonly Run[],
  quota: QuotaFacts,
  mailboxSize: number | undefined,
): DashboardModel {
  const full = runs.filter((r) => r.kind === 'full');
  const lastDone = full.find((r) => r.status === 'DONE');
  const active = full.find((r) => !FINAL_STATUSES.includes(r.status));
  const messages = lastDone?.total ?? mailboxSize;
  const since = lastDone?.endedAt ?? null;
  const automatic = runs.filter(
    (r) =>
      r.kind === 'incremental' &&
      since !== null &&
      r.scheduledAt >= since &&
      undoState(r.errors) === 'none',
  );
  // A skipped pass looked at nothing: the dashboard counts the passes that did.
  const aged = automatic.filter((r) => isComingOfAge(r) && !isSkippedPass(r));
  return {
    runs: runs
      .filter((r) => r.kind === 'full' || r.counters.processed > 0)
      .slice(0, SHOWN_RUNS)
      .map((r) => runView(r)),
    needsReconnect: user.needsReconnect,
    hasKey: user.openAiKey !== null,
    activeScan: active && runView(active),
    hasScan: full.length > 0,
    estimate:
      messages === undefined
        ? undefined
        : estimateScan(messages, quota.units, quota.userUnitsPerMinute),
    cleanup: {
      watch: user.watch,
      lastSyncAt: user.cursor?.updatedAt ?? null,
      since,
      runs: automatic.length,
      atLeast: runs.length >= DASHBOARD_RUNS && runs.at(-1)?.kind === 'incremental',
      trashed: automatic.reduce((n, r) => n + r.counters.trashed, 0),
      bytes: automatic.reduce((n, r) => n + r.counters.bytesTrashed, 0),
      comingOfAge: {
        lastAt: aged[0]?.scheduledAt ?? null,
        runs: aged.length,
        trashed: aged.reduce((n, r) => n + r.counters.trashed, 0),
        bytes: aged.reduce((n, r) => n + r.counters.bytesTrashed, 0),
      },
    },
  };
}
