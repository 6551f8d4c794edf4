import { Hono } from 'hono';
import { LandingPage } from '../../web/pages/landing.js';
import { RunStatusPage } from '../../web/pages/run-status.js';
import type { Store } from '../domain/ports.js';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';
import { RUN_ID, runView } from './run-view.js';

/** Pages without sign-in: the landing page and the run status page (its id is the capability). */
export function publicRoutes(store: Store, demo: boolean): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', (c) => c.html(<LandingPage demo={demo} signIn={c.req.query('signin')} />));

  app.get('/runs/:runId', async (c) => {
    const runId = c.req.param('runId');
    const run = RUN_ID.test(runId) ? await store.getRun(runId) : undefined;
    if (!run) throw new AppError('not_found', 'No such run');
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return c.html(<RunStatusPage run={runView(run)} />);
  });

  return app;
}
