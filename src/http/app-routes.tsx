import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { DashboardPage } from '../../web/pages/dashboard.js';
import { OpenAiKeyPage } from '../../web/pages/openai-key.js';
import { FINAL_STATUSES, RUN_MODES, type User } from '../domain/model.js';
import type { Clock, KeyCheck, KeyRing, Store } from '../domain/ports.js';
import { waitsForDailyQuota } from '../domain/scan-waits.js';
import { seal } from '../domain/sealing.js';
import { AppError } from '../errors.js';
import { disconnectUser } from '../jobs/disconnect-user.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { resumePausedRuns } from '../jobs/paused-runs.js';
import { startFullScan } from '../jobs/start-full-scan.js';
import { syncMailbox } from '../jobs/sync-mailbox.js';
import type { OneClickSend } from '../jobs/unsubscribe-sender.js';
import { DASHBOARD_RUNS, dashboardModel, type QuotaFacts } from './dashboard-model.js';
import type { AppEnv } from './env.js';
import { MailboxSizes } from './mailbox-sizes.js';
import { ownerRunRoutes } from './owner-run-routes.js';
import type { Sessions } from './session.js';
import { settingsRoutes } from './settings-routes.js';
import { userTask } from './sync-task-routes.js';

export interface AppRoutesDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly sessions: Sessions;
  readonly jobs: JobDeps;
  readonly checkOpenAiKey: (apiKey: string) => Promise<KeyCheck>;
  /** Revokes a refresh token at Google (on disconnect). */
  readonly signIn: { revoke(refreshToken: string): Promise<boolean> };
  /** Gmail's unit costs and per-user budget, for the scan estimate. */
  readonly quota: QuotaFacts;
  readonly sendOneClick: OneClickSend;
}

const OPENAI_KEY = /^sk-[A-Za-z0-9_-]{16,256}$/;
const runMode = z.enum(RUN_MODES);

/**
 * The signed-in part: dashboard, OpenAI key, starting a run, the owner's run pages, undo and
 * disconnect. Every POST passed the CSRF check; nothing here may be cached.
 */
export function appRoutes(deps: AppRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const sizes = new MailboxSizes(deps.jobs.mailboxFor, () => deps.clock.now(), deps.jobs.log);
  app.use(deps.sessions.require('page'));
  app.use(async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });

  /** The signed-in user; a session whose user was deleted ends here. */
  const currentUser = async (c: Context<AppEnv>): Promise<User> => {
    const user = await deps.store.getUser(c.get('userId'));
    if (user) return user;
    deps.sessions.end(c);
    throw new AppError('unauthenticated', 'Your account no longer exists here: sign in again');
  };

  app.get('/', async (c) => {
    const user = await currentUser(c);
    const runs = await deps.store.listRuns(user.id, DASHBOARD_RUNS);
    // The size is only fetched for the estimate, before the first finished scan (which knows
    // it) and not while a scan runs (the page shows its progress instead).
    const needsSize = !runs.some(
      (r) => r.kind === 'full' && (r.status === 'DONE' || !FINAL_STATUSES.includes(r.status)),
    );
    const size = needsSize ? await sizes.get(user) : undefined;
    const model = dashboardModel(user, runs, deps.quota, size);
    return c.html(
      <DashboardPage model={model} now={deps.clock.now()} notice={c.req.query('notice')} />,
    );
  });

  app.get('/openai-key', async (c) => {
    const user = await currentUser(c);
    return c.html(<OpenAiKeyPage hasKey={user.openAiKey !== null} />);
  });

  app.post('/openai-key', async (c) => {
    const user = await currentUser(c);
    const form = await c.req.parseBody();
    if (form.rulesOnly === '1') {
      await deps.store.updateUser(user.id, { openAiKey: null, updatedAt: deps.clock.now() });
      await resumePausedRuns(deps.jobs, user.id);
      return c.redirect('/app?notice=rules', 303);
    }
    const apiKey = typeof form.apiKey === 'string' ? form.apiKey.trim() : '';
    if (!OPENAI_KEY.test(apiKey)) {
      return c.html(
        <OpenAiKeyPage
          hasKey={user.openAiKey !== null}
          error="That does not look like an OpenAI API key (it starts with sk-)."
        />,
        400,
      );
    }
    // A cheap call with the key before anything is stored; a rejected key stores nothing.
    const check = await deps.checkOpenAiKey(apiKey);
    if (!check.ok) {
      return c.html(<OpenAiKeyPage hasKey={user.openAiKey !== null} error={check.message} />, 400);
    }
    const sealed = await seal(deps.keyRing, apiKey, user.id);
    await deps.store.updateUser(user.id, { openAiKey: sealed, updatedAt: deps.clock.now() });
    // Runs paused by the previous key (rejected, out of quota) go on with this one.
    await resumePausedRuns(deps.jobs, user.id);
    return c.redirect('/app?notice=key', 303);
  });

  app.post('/runs', async (c) => {
    const form = await c.req.parseBody();
    const mode = runMode.safeParse(form.mode ?? 'auto');
    if (!mode.success) {
      throw new AppError('bad_request', 'A full scan runs in mode auto or review.');
    }
    const run = await startFullScan(deps.jobs, c.get('userId'), mode.data);
    return c.redirect(`/runs/${run.id}`, 303);
  });

  app.route('/runs', ownerRunRoutes(deps.store, deps.jobs, deps.clock, deps.sendOneClick));
  app.route('/settings', settingsRoutes(deps.store, deps.jobs, deps.clock, currentUser));

  /**
   * "Check new mail now": the sync a notification would start, run now, for owners who do not
   * want to wait (or run without a topic). It only reads history and saves the new mail as a
   * run whose batches are tasks, so it answers quickly; the owner lands on that run's status.
   */
  app.post('/sync', async (c) => {
    const user = await currentUser(c);
    if (!user.cursor) return c.redirect('/app?notice=sync-first', 303);
    const runs = await deps.store.listRuns(user.id, 20);
    // A review waiting for its owner trashes nothing and does not hold new mail back.
    // Nor does a scan waiting in line for the day's Gmail quota.
    const busy = (r: (typeof runs)[number]) =>
      !FINAL_STATUSES.includes(r.status) && r.status !== 'REVIEW' && !waitsForDailyQuota(r);
    if (runs.some(busy)) {
      return c.redirect('/app?notice=sync-busy', 303);
    }
    const run = await userTask(deps.jobs, user.id, () => syncMailbox(deps.jobs, user.id));
    return c.redirect(run ? `/runs/${run.id}` : '/app?notice=sync-none', 303);
  });

  app.post('/disconnect', async (c) => {
    const user = await currentUser(c);
    const form = await c.req.parseBody();
    if (form.confirm !== 'yes') {
      throw new AppError('bad_request', 'Tick the box to confirm, then disconnect again.');
    }
    const { revoked } = await disconnectUser(
      { ...deps.jobs, keyRing: deps.keyRing, revoke: (token) => deps.signIn.revoke(token) },
      user.id,
    );
    sizes.forget(user.id);
    deps.sessions.end(c);
    return c.redirect(revoked ? '/disconnected' : '/disconnected?revoked=0', 303);
  });

  return app;
}
