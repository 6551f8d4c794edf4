import { Hono } from 'hono';
import { z } from 'zod';
import { RunDetailPage } from '../../web/pages/run-detail.js';
import { UnsubscribePage } from '../../web/pages/unsubscribe.js';
import { runFigures } from '../../web/run-figures.js';
import { FINAL_STATUSES } from '../domain/model.js';
import type { Clock, Store } from '../domain/ports.js';
import { AppError } from '../errors.js';
import { requestApply, reviewPlan } from '../jobs/apply-review.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { requestUndo } from '../jobs/undo-run.js';
import { type OneClickSend, unsubscribeSender } from '../jobs/unsubscribe-sender.js';
import { bytesEstimated } from './bytes-estimated.js';
import type { AppEnv } from './env.js';
import { RUN_ID, runView } from './run-view.js';
import { SenderSummaries } from './sender-summary.js';

/** `keep` form fields: sender keys (addresses) from a review's plan, a bounded number. */
const senderKey = z.string().min(1).max(320);
const keepForm = z.union([senderKey, z.array(senderKey).max(10_000)]);

/**
 * `/app/runs/{id}`: a run seen by its owner (senders, undo, a review's proposal and its
 * apply); anyone else gets a 404.
 */
export function ownerRunRoutes(
  store: Store,
  jobs: JobDeps,
  clock: Clock,
  sendOneClick: OneClickSend,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const senders = new SenderSummaries(store);

  const ownRun = async (runId: string, userId: string) => {
    const run = RUN_ID.test(runId) ? await store.getRun(runId) : undefined;
    if (!run || run.userId !== userId) throw new AppError('not_found', 'No such run');
    return run;
  };

  app.get('/:runId', async (c) => {
    const run = await ownRun(c.req.param('runId'), c.get('userId'));
    const view = runView(run, await bytesEstimated(store, run));
    const final = FINAL_STATUSES.includes(run.status);
    return c.html(
      <RunDetailPage
        run={view}
        figures={runFigures(view, clock.now())}
        senders={final && run.counters.trashed > 0 ? await senders.of(run) : []}
        review={run.status === 'REVIEW' ? await reviewPlan(jobs, run.id) : undefined}
      />,
    );
  });

  app.post('/:runId/apply', async (c) => {
    const run = await ownRun(c.req.param('runId'), c.get('userId'));
    const form = keepForm.safeParse((await c.req.parseBody({ all: true })).keep ?? []);
    if (!form.success) throw new AppError('bad_request', 'The senders to keep are malformed.');
    const keep = typeof form.data === 'string' ? [form.data] : form.data;
    await requestApply(jobs, run.userId, run.id, keep);
    senders.forget([run.id]);
    return c.redirect(`/app/runs/${run.id}`, 303);
  });

  app.post('/:runId/unsubscribe', async (c) => {
    const run = await ownRun(c.req.param('runId'), c.get('userId'));
    const sender = senderKey.safeParse((await c.req.parseBody()).sender);
    if (!sender.success) throw new AppError('bad_request', 'Name one sender to unsubscribe from.');
    const result = await unsubscribeSender(jobs, sendOneClick, {
      userId: run.userId,
      runId: run.id,
      sender: sender.data,
    });
    return c.html(<UnsubscribePage runId={run.id} sender={sender.data} result={result} />);
  });

  app.post('/:runId/undo', async (c) => {
    const run = await ownRun(c.req.param('runId'), c.get('userId'));
    await requestUndo(jobs, run.userId, run.id);
    return c.redirect(`/app/runs/${run.id}`, 303);
  });

  return app;
}
