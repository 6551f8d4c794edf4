import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import type { AppEnv } from './http/env.js';
import { type Logger, traceFields } from './log.js';

export interface AppDeps {
  readonly config: Config;
  readonly log: Logger;
  /** Demo mode: the simulated Google, served by this app under SIMULATED_GOOGLE_PATH. */
  readonly simulatedGoogle?: { readonly app: Hono } | undefined;
}

/** Where the app serves the simulated Google in demo mode. */
export const SIMULATED_GOOGLE_PATH = '/_sim/google';

/** Builds the Hono app with every route mounted; main.ts only listens. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const project = deps.config.gcp?.project;

  app.use(async (c, next) => {
    c.set('log', deps.log.with(traceFields(c.req.raw.headers, project)));
    await next();
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  if (deps.simulatedGoogle) app.route(SIMULATED_GOOGLE_PATH, deps.simulatedGoogle.app);

  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'Not found' } }, 404));

  app.onError((err, c) => {
    if (err instanceof AppError) {
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
    return c.json({ error: { code: 'internal', message: 'Internal error' } }, 500);
  });

  return app;
}
