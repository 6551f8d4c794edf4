import { Hono } from 'hono';
import type { Store } from '../domain/ports.js';
import { AppError } from '../errors.js';
import { reviewPlan } from '../jobs/apply-review.js';
import { bytesEstimated } from './bytes-estimated.js';
import type { AppEnv } from './env.js';
import { RUN_ID, runView } from './run-view.js';
import type { Sessions } from './session.js';

/** `GET /api/runs/{id}` needs no session (the id is the capability); `GET /api/runs` does. */
export function apiRoutes(store: Store, sessions: Sessions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/runs', sessions.require('api'), async (c) => {
    // A session outliving its user (disconnected in another browser) ends here.
    if (!(await store.getUser(c.get('userId')))) {
      sessions.end(c);
      throw new AppError('unauthenticated', 'Sign in first');
    }
    const runs = await store.listRuns(c.get('userId'), 50);
    const estimated = await Promise.all(runs.map((r) => bytesEstimated(store, r)));
    return c.json(runs.map((r, i) => runView(r, estimated[i])));
  });

  // The proposal names senders: only the run's owner, signed in, sees it.
  app.get('/runs/:runId/plan', sessions.require('api'), async (c) => {
    const runId = c.req.param('runId');
    const run = RUN_ID.test(runId) ? await store.getRun(runId) : undefined;
    if (!run || run.userId !== c.get('userId')) throw new AppError('not_found', 'No such run');
    if (run.mode !== 'review') throw new AppError('conflict', 'This run is not a review');
    c.header('cache-control', 'no-store');
    const plan = await reviewPlan({ store }, run.id);
    return c.json({ runId: run.id, status: run.status, ...plan });
  });

  app.get('/runs/:runId', async (c) => {
    const runId = c.req.param('runId');
    const run = RUN_ID.test(runId) ? await store.getRun(runId) : undefined;
    if (!run) throw new AppError('not_found', 'No such run');
    c.header('cache-control', 'no-store');
    return c.json(runView(run, await bytesEstimated(store, run)));
  });

  return app;
}
