import { Hono } from 'hono';
import { z } from 'zod';
import { MailboxUnavailable, ReconnectNeeded } from '../domain/mailbox-errors.js';
import { AppError } from '../errors.js';
import { applyReview } from '../jobs/apply-review.js';
import { expireReview } from '../jobs/expire-review.js';
import type { JobDeps } from '../jobs/job-deps.js';
import type { AppEnv } from './env.js';
import { RUN_ID } from './run-view.js';
import { payload, type TaskCaller } from './task-routes.js';

const applyPayload = z
  .object({
    runId: z.string().regex(RUN_ID),
    fromBatch: z.number().int().min(0).max(1_000_000),
    keepUnknown: z.boolean(),
  })
  .strict();
const expirePayload = z.object({ runId: z.string().regex(RUN_ID) }).strict();

/** `POST /tasks/apply-review` and `/tasks/expire-review`, called by the task queue only. */
export function reviewTaskRoutes(deps: JobDeps, caller: TaskCaller): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/apply-review', async (c) => {
    if (!(await caller.verify(c.req.raw))) throw new AppError('forbidden', 'Not a task caller');
    const { runId, fromBatch, keepUnknown } = await payload(c.req.raw, applyPayload);
    try {
      await applyReview(deps, runId, fromBatch, keepUnknown);
    } catch (error) {
      if (error instanceof ReconnectNeeded) {
        const run = await deps.store.getRun(runId);
        if (!run) return c.body(null, 204);
        const now = deps.clock.now();
        await deps.store.updateUser(run.userId, { needsReconnect: true, updatedAt: now });
        await deps.store.appendRunError(runId, {
          at: now,
          message: 'Google access was revoked or has expired: sign in again to continue.',
        });
        const failed = await deps.store.updateRun(runId, ['DELETING'], {
          status: 'FAILED',
          endedAt: now,
        });
        if (failed) deps.log.warn('run failed: reconnect needed', { runId });
        return c.body(null, 204);
      }
      if (!(error instanceof MailboxUnavailable)) throw error;
      deps.log.warn('gmail unavailable, apply will be retried', { runId });
      throw new AppError('unavailable', 'Gmail is unavailable, try again later', {
        retryAfterMs: error.retryAfterMs ?? 30_000,
      });
    }
    return c.body(null, 204);
  });

  app.post('/expire-review', async (c) => {
    if (!(await caller.verify(c.req.raw))) throw new AppError('forbidden', 'Not a task caller');
    const { runId } = await payload(c.req.raw, expirePayload);
    await expireReview(deps, runId);
    return c.body(null, 204);
  });

  return app;
}
