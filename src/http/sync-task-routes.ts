import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { MailboxUnavailable, ReconnectNeeded } from '../domain/mailbox-errors.js';
import { AppError } from '../errors.js';
import { comingOfAge } from '../jobs/coming-of-age.js';
import { flagReconnect, grantOf } from '../jobs/google-access-lost.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { syncMailbox } from '../jobs/sync-mailbox.js';
import { flushSyncTrash, flushTrash } from '../jobs/trash-outbox.js';
import { watchMailbox } from '../jobs/watch-mailbox.js';
import type { AppEnv } from './env.js';
import { RUN_ID } from './run-view.js';
import { payload, type TaskCaller } from './task-routes.js';

/** Google's `sub` (digits); other ids the store may hold stay within this alphabet too. */
const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;

const syncPayload = z.object({ userId: z.string().regex(USER_ID) }).strict();
/** `after`: a sync's delayed flush, of the trash queued then, once the outbox is quiet. */
const flushPayload = z
  .object({ userId: z.string().regex(USER_ID), after: z.number().int().nonnegative().optional() })
  .strict();
const watchPayload = z
  .object({ userId: z.string().regex(USER_ID), runId: z.string().regex(RUN_ID).optional() })
  .strict();

/**
 * The per-user tasks: `/tasks/sync` (history since the cursor), `/tasks/coming-of-age` (the
 * daily look at mail old enough now), `/tasks/watch` (register or renew the Gmail watch) and
 * `/tasks/flush-trash` (the user's trash outbox to Gmail). Mounted under /tasks beside the run tasks,
 * with the same caller check and the same meaning of the answers.
 */
export function syncTaskRoutes(deps: JobDeps, caller: TaskCaller): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const verified = createMiddleware<AppEnv>(async (c, next) => {
    if (!(await caller.verify(c.req.raw))) throw new AppError('forbidden', 'Not a task caller');
    await next();
  });

  app.post('/sync', verified, async (c) => {
    const { userId } = await payload(c.req.raw, syncPayload);
    await userTask(deps, userId, () => syncMailbox(deps, userId));
    return c.body(null, 204);
  });

  app.post('/coming-of-age', verified, async (c) => {
    const { userId } = await payload(c.req.raw, syncPayload);
    await userTask(deps, userId, () => comingOfAge(deps, userId));
    return c.body(null, 204);
  });

  app.post('/flush-trash', verified, async (c) => {
    const { userId, after } = await payload(c.req.raw, flushPayload);
    await userTask(deps, userId, () =>
      after === undefined ? flushTrash(deps, userId) : flushSyncTrash(deps, userId, after),
    );
    return c.body(null, 204);
  });

  app.post('/watch', verified, async (c) => {
    const { userId, runId } = await payload(c.req.raw, watchPayload);
    await userTask(deps, userId, () => watchMailbox(deps, userId, runId));
    return c.body(null, 204);
  });

  return app;
}

/**
 * Revoked Google access stops the user's ongoing cleanup until they sign in again (no retry can
 * fix it; runs that already claimed messages pause, see google-access-lost.ts), unless a
 * sign-in replaced the grant while the task ran: then, like Gmail being unavailable, it is a
 * 503, so the queue tries again.
 */
export async function userTask<T>(
  deps: JobDeps,
  userId: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const grant = await grantOf(deps, userId);
  try {
    return await work();
  } catch (error) {
    if (error instanceof ReconnectNeeded) {
      if (await flagReconnect(deps, userId, grant)) {
        deps.log.warn('ongoing cleanup stopped: reconnect needed', { userId });
        return undefined;
      }
      throw new AppError('unavailable', 'Google access was given again, try again', {
        retryAfterMs: 1_000,
      });
    }
    if (error instanceof MailboxUnavailable) {
      deps.log.warn('gmail unavailable, task will be retried', { userId, reason: error.message });
      throw new AppError('unavailable', 'Gmail is unavailable, try again later', {
        retryAfterMs: error.retryAfterMs ?? 30_000,
      });
    }
    throw error;
  }
}
