import { Hono } from 'hono';
import { RunDetailPage } from '../../web/pages/run-detail.js';
import { runFigures } from '../../web/run-figures.js';
import { FINAL_STATUSES } from '../domain/model.js';
import type { Clock, Store } from '../domain/ports.js';
import { AppError } from '../errors.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { requestUndo } from '../jobs/undo-run.js';
import type { AppEnv } from './env.js';
import { RUN_ID, runView } from './run-view.js';
import { SenderSummaries } from './sender-summary.js';

/** `/app/runs/{id}`: a run seen by its owner (senders, undo); anyone else gets a 404. */
export function ownerRunRoutes(store: Store, jobs: JobDeps, clock: Clock): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const senders = new SenderSummaries(store);

  const ownRun = async (runId: string, userId: string) => {
    const run = RUN_ID.test(runId) ? await store.getRun(runId) : undefined;
    if (!run || run.userId !== userId) throw new AppError('not_found', 'No such run');
    return run;
  };

  app.get('/:runId', async (c) => {
    const run = await ownRun(c.req.param('runId'), c.get('userId'));
    const view = runView(run);
    const final = FINAL_STATUSES.includes(run.status);
    return c.html(
      <RunDetailPage
        run={view}
        figures={runFigures(view, clock.now())}
        senders={final && run.counters.trashed > 0 ? await senders.of(run) : []}
      />,
    );
  });

  app.post('/:runId/undo', async (c) => {
    const run = await ownRun(c.req.param('runId'), c.get('userId'));
    await requestUndo(jobs, run.userId, run.id);
    return c.redirect(`/app/runs/${run.id}`, 303);
  });

  return app;
}
