import { Hono } from 'hono';
import type { DeadWorkLog } from '../domain/dead-work.js';
import {
  collectStoreFigures,
  STATS_WINDOW_MS,
  type StatsSource,
} from '../domain/operator-stats.js';
import type { Clock } from '../domain/ports.js';
import type { QuotaLedger } from '../domain/quota-ledger.js';
import type { AppEnv } from './env.js';
import { requireOperator } from './operator-auth.js';
import type { TaskCaller } from './task-routes.js';

export interface StatsDeps {
  readonly stats: StatsSource;
  readonly ledger: QuotaLedger;
  readonly clock: Clock;
  /** Who is an operator: an OIDC token of an allowed account (gcp), a bearer token (local). */
  readonly operator: TaskCaller;
  readonly budgets: { readonly userUnitsPerMinute: number; readonly projectUnitsPerMinute: number };
  /** The task queue's own counts, where the queue can tell (local mode's). */
  readonly taskCounts?: () => { pending: number; running: number; dead: number };
  /** Tasks and pushes recorded failing on their last attempt (gcp mode, dead-work.ts). */
  readonly deadWork?: DeadWorkLog;
}

/**
 * `GET /api/stats`, operators only: users, the day's runs, Gmail units against the budgets,
 * LLM use, failures. The same figures go to the log as structured fields, for log-based
 * metrics. Nothing in it names a person or a run.
 */
export function statsRoutes(deps: StatsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/stats', requireOperator(deps.operator), async (c) => {
    const now = deps.clock.now();
    const [store, projectUnits, today, deadWork] = await Promise.all([
      collectStoreFigures(deps.stats, now),
      deps.ledger.projectUnitsInWindow(),
      deps.ledger.unitsToday(),
      deps.deadWork?.countSince(now - STATS_WINDOW_MS),
    ]);
    const figures = {
      at: now,
      users: store.users,
      runs: store.runs,
      gmail: {
        projectUnitsLastMinute: projectUnits,
        projectUnitsPerMinuteBudget: deps.budgets.projectUnitsPerMinute,
        userUnitsPerMinuteBudget: deps.budgets.userUnitsPerMinute,
        projectBudgetUsed: projectUnits / deps.budgets.projectUnitsPerMinute,
        /** The Pacific day's project budget: spent, promised to admitted full scans. */
        today: {
          day: today.day,
          spent: today.spent,
          committedToScans: today.committed,
          budget: today.budget,
          resetsAt: today.endsAt,
        },
      },
      tasks: deps.taskCounts?.() ?? null,
      /** Tasks Cloud Tasks dropped and notifications Pub/Sub dead-lettered, last 24 hours. */
      deadWork: deadWork ?? null,
    };
    c.get('log').info('operator stats', { stats: figures });
    c.header('cache-control', 'no-store');
    return c.json(figures);
  });
  return app;
}
