import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { GoogleSignIn } from './adapters/google-auth/google-sign-in.js';
import { sendOneClick } from './adapters/unsubscribe/one-click.js';
import type { Config } from './config.js';
import type { DeadWorkLog } from './domain/dead-work.js';
import type { Clock, KeyCheck, KeyRing, Store } from './domain/ports.js';
import { AppError } from './errors.js';
import { apiRoutes } from './http/api-routes.js';
import { appRoutes } from './http/app-routes.js';
import { authRoutes } from './http/auth-routes.js';
import { cronRoutes } from './http/cron-routes.js';
import { sameOrigin } from './http/csrf.js';
import { deadWorkRecorder } from './http/dead-work-recorder.js';
import type { AppEnv } from './http/env.js';
import { errorPage, wantsHtml } from './http/error-pages.js';
import { publicRoutes } from './http/public-routes.js';
import { pushRoutes } from './http/push-routes.js';
import { reviewTaskRoutes } from './http/review-task-routes.js';
import { securityHeaders } from './http/security-headers.js';
import type { Sessions } from './http/session.js';
import { staticRoutes } from './http/static-routes.js';
import { type StatsDeps, statsRoutes } from './http/stats-routes.js';
import { syncTaskRoutes } from './http/sync-task-routes.js';
import { type TaskCaller, taskRoutes } from './http/task-routes.js';
import { undoTaskRoutes } from './http/undo-task-routes.js';
import type { JobDeps } from './jobs/job-deps.js';
import type { OneClickSend } from './jobs/unsubscribe-sender.js';
import { type Logger, traceFields } from './log.js';

/** The service's parts, built by the composition root for the configured mode. */
export interface Services {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly sessions: Sessions;
  readonly signIn: GoogleSignIn;
  readonly jobs: JobDeps;
  readonly taskCaller: TaskCaller;
  /** Who may push Gmail notifications (the push subscription's OIDC token); none: nobody. */
  readonly pushCaller?: TaskCaller | undefined;
  /** Who may call the cron endpoint (Cloud Scheduler's OIDC token); none: as the task caller. */
  readonly cronCaller?: TaskCaller | undefined;
  /** Checks an OpenAI key with a cheap call before it is stored. */
  readonly checkOpenAiKey: (apiKey: string) => Promise<KeyCheck>;
  /** Sends an RFC 8058 one-click unsubscribe; default: to public https addresses only. */
  readonly sendOneClick?: OneClickSend | undefined;
  /** What `GET /api/stats` reads, and who may read it; none: the route is not served. */
  readonly operatorStats?: Omit<StatsDeps, 'clock' | 'budgets'> | undefined;
  /** Where tasks and pushes failed on their last attempt are recorded (gcp mode). */
  readonly deadWork?: DeadWorkLog | undefined;
}

export interface AppDeps {
  readonly config: Config;
  readonly log: Logger;
  /** Without services the app only serves /healthz (and the simulated Google, if given). */
  readonly services?: Services | undefined;
  /** Demo mode: the simulated Google, served by this app under SIMULATED_GOOGLE_PATH. */
  readonly simulatedGoogle?: { readonly app: Hono } | undefined;
}

const NOBODY: TaskCaller = { verify: async () => false };

/** Where the app serves the simulated Google in demo mode. */
export const SIMULATED_GOOGLE_PATH = '/_sim/google';

/**
 * The pages' forms carry a key, settings, or an applied review's kept senders (a few thousand
 * addresses at most); a task payload carries ids (Cloud Tasks: 100 KB).
 */
const MAX_FORM_BYTES = 64 * 1024;
const MAX_TASK_BYTES = 100 * 1024;

function limit(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError('payload_too_large', `A request body here is at most ${maxSize} bytes`);
    },
  });
}

/** Builds the Hono app with every route mounted; main.ts only listens. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { config } = deps;

  app.use(async (c, next) => {
    c.set('log', deps.log.with(traceFields(c.req.raw.headers, config.gcp?.project)));
    await next();
  });
  app.use(securityHeaders({ https: config.publicUrl.startsWith('https:') }));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (deps.simulatedGoogle) app.route(SIMULATED_GOOGLE_PATH, deps.simulatedGoogle.app);

  const services = deps.services;
  if (services) {
    const csrf = sameOrigin(config.publicUrl);
    app.use('/app/*', csrf, limit(MAX_FORM_BYTES));
    app.use('/auth/*', csrf, limit(MAX_FORM_BYTES));
    app.use('/tasks/*', limit(MAX_TASK_BYTES));
    app.use('/cron/*', limit(MAX_FORM_BYTES));
    if (services.deadWork && config.gcp) {
      const recorder = deadWorkRecorder({
        log: services.deadWork,
        clock: services.clock,
        taskMaxAttempts: config.gcp.tasksMaxAttempts,
        pushMaxAttempts: config.gcp.pushMaxDeliveryAttempts,
        tasks: services.taskCaller,
        push: services.pushCaller ?? NOBODY,
      });
      app.use('/tasks/*', recorder);
      app.use('/push/*', recorder);
    }
    app.route('/static', staticRoutes());
    app.route('/', publicRoutes(services.store, services.clock, config.google.simulated));
    app.route('/auth', authRoutes(services));
    app.route(
      '/app',
      appRoutes({
        ...services,
        quota: config.gmailQuota,
        sendOneClick: services.sendOneClick ?? ((url) => sendOneClick(url)),
      }),
    );
    app.route('/api', apiRoutes(services.store, services.sessions));
    if (services.operatorStats) {
      const budgets = config.gmailQuota;
      app.route('/api', statsRoutes({ ...services.operatorStats, clock: services.clock, budgets }));
    }
    app.route('/tasks', taskRoutes(services.jobs, services.taskCaller));
    app.route('/tasks', syncTaskRoutes(services.jobs, services.taskCaller));
    app.route('/tasks', undoTaskRoutes(services.jobs, services.taskCaller));
    app.route('/tasks', reviewTaskRoutes(services.jobs, services.taskCaller));
    app.route('/cron', cronRoutes(services.jobs, services.cronCaller ?? services.taskCaller));
    app.route('/push', pushRoutes(services, services.pushCaller ?? NOBODY));
  }

  app.notFound((c) =>
    wantsHtml(c)
      ? errorPage(c, 404, 'There is nothing at this address.')
      : c.json({ error: { code: 'not_found', message: 'Not found' } }, 404),
  );

  app.onError((err, c) => {
    if (err instanceof AppError) {
      const retryAfterMs = err.details?.retryAfterMs;
      if (typeof retryAfterMs === 'number')
        c.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
      if (wantsHtml(c)) return errorPage(c, err.status, err.message);
      return c.json({ error: { code: err.code, message: err.message } }, err.status);
    }
    if (err instanceof HTTPException) {
      return c.json({ error: { code: 'http_error', message: err.message } }, err.status);
    }
    (c.get('log') ?? deps.log).error('unhandled error', {
      error: err,
      method: c.req.method,
      path: c.req.path,
    });
    if (wantsHtml(c)) return errorPage(c, 500, 'Something went wrong on our side. Try again.');
    return c.json({ error: { code: 'internal', message: 'Internal error' } }, 500);
  });

  return app;
}
