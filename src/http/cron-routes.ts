import { Hono } from 'hono';
import { AppError } from '../errors.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { renewWatches } from '../jobs/watch-renewal.js';
import type { AppEnv } from './env.js';
import type { TaskCaller } from './task-routes.js';

/**
 * `POST /cron/renew-watches`, called daily (Cloud Scheduler with an OIDC token in the cloud,
 * a timer in local mode): queues the watch renewals and catch-up syncs that are due.
 */
export function cronRoutes(deps: JobDeps, caller: TaskCaller): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    if (!(await caller.verify(c.req.raw))) throw new AppError('forbidden', 'Not the scheduler');
    await next();
  });

  app.post('/renew-watches', async (c) => c.json(await renewWatches(deps)));

  return app;
}
