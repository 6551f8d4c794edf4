import { Hono } from 'hono';
import { DisconnectedPage } from '../../web/pages/disconnected.js';
import { ErrorPage } from '../../web/pages/error.js';
import { LandingPage } from '../../web/pages/landing.js';
import { RunStatusPage } from '../../web/pages/run-status.js';
import { runFigures } from '../../web/run-figures.js';
import type { Clock, Store } from '../domain/ports.js';
import { bytesEstimated } from './bytes-estimated.js';
import type { AppEnv } from './env.js';
import { RUN_ID, runView } from './run-view.js';

/**
 * Pages without sign-in: the landing page, the page after a disconnect, and the run status
 * page (its id is the capability; it shows no personal data and sends no Referer).
 */
export function publicRoutes(store: Store, clock: Clock, demo: boolean): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', (c) => c.html(<LandingPage demo={demo} signIn={c.req.query('signin')} />));

  app.get('/disconnected', (c) =>
    c.html(<DisconnectedPage revoked={c.req.query('revoked') !== '0'} />),
  );

  app.get('/runs/:runId', async (c) => {
    const runId = c.req.param('runId');
    const run = RUN_ID.test(runId) ? await store.getRun(runId) : undefined;
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    if (!run) {
      return c.html(
        <ErrorPage status={404} message="There is no run at this address. Check the link." />,
        404,
      );
    }
    const view = runView(run, await bytesEstimated(store, run));
    return c.html(<RunStatusPage run={view} figures={runFigures(view, clock.now())} />);
  });

  return app;
}
