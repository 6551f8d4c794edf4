import { Hono } from 'hono';
import { z } from 'zod';
import { MailboxUnavailable } from '../domain/mailbox-errors.js';
import { AppError } from '../errors.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { undoRun } from '../jobs/undo-run.js';
import type { AppEnv } from './env.js';
import { RUN_ID } from './run-view.js';
import { payload, type TaskCaller } from './task-routes.js';

const undoPayload = z
  .object({
    runId: z.string().regex(RUN_ID),
    fromBatch: z.number().int().min(0).max(1_000_000),
    restored: z.number().int().min(0),
  })
  .strict();

/** `POST /tasks/undo`, called by the task queue only: gives a run's Trash back, part by part. */
export function undoTaskRoutes(deps: JobDeps, caller: TaskCaller): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/undo', async (c) => {
    if (!(await caller.verify(c.req.raw))) throw new AppError('forbidden', 'Not a task caller');
    const { runId, fromBatch, restored } = await payload(c.req.raw, undoPayload);
    try {
      await undoRun(deps, runId, fromBatch, restored);
    } catch (error) {
      if (!(error instanceof MailboxUnavailable)) throw error;
      deps.log.warn('gmail unavailable, undo will be retried', { runId });
      throw new AppError('unavailable', 'Gmail is unavailable, try again later', {
        retryAfterMs: error.retryAfterMs ?? 30_000,
      });
    }
    return c.body(null, 204);
  });

  return app;
}
