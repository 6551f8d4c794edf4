import { Hono } from 'hono';
import { z } from 'zod';
import { ClassifierPaused, ClassifierUnavailable } from '../domain/classifier-errors.js';
import { MailboxUnavailable, ReconnectNeeded } from '../domain/mailbox-errors.js';
import { AppError } from '../errors.js';
import { type GrantAtStart, pauseForReconnect } from '../jobs/google-access-lost.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { pauseRun } from '../jobs/paused-runs.js';
import { planRun } from '../jobs/plan-run.js';
import { processBatch, type TaskStart } from '../jobs/process-batch.js';
import type { AppEnv } from './env.js';
import { RUN_ID } from './run-view.js';

/** Who may call the task endpoints: the queue only (a shared secret locally, OIDC in the cloud). */
export interface TaskCaller {
  verify(request: Request): Promise<boolean>;
}

const planPayload = z.object({ runId: z.string().regex(RUN_ID) }).strict();
const batchPayload = z
  .object({ runId: z.string().regex(RUN_ID), batchNo: z.number().int().min(0).max(1_000_000) })
  .strict();

/**
 * The endpoints the task queue calls. A 2xx tells the queue the task is finished; a 503 with
 * Retry-After asks it to try later. Work is finished before answering.
 */
export function taskRoutes(deps: JobDeps, caller: TaskCaller): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    if (!(await caller.verify(c.req.raw))) throw new AppError('forbidden', 'Not a task caller');
    await next();
  });

  app.post('/plan', async (c) => {
    const { runId } = await payload(c.req.raw, planPayload);
    await runTask(deps, runId, () => planRun(deps, runId));
    return c.body(null, 204);
  });

  app.post('/batch', async (c) => {
    const { runId, batchNo } = await payload(c.req.raw, batchPayload);
    await runTask(deps, runId, (start) => processBatch(deps, runId, batchNo, start));
    return c.body(null, 204);
  });

  return app;
}

/** A task's JSON body checked against its schema; anything else is a 400. */
export async function payload<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new AppError('bad_request', 'Task payload is not JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('bad_request', 'Task payload is malformed');
  return parsed.data;
}

/**
 * Failures a retry cannot fix end the run, or pause it when its owner can fix them (their
 * Google grant or OpenAI key, see paused-runs.ts), with a reason the status page shows;
 * failures a retry can fix become a 503 so the queue tries again.
 */
async function runTask(
  deps: JobDeps,
  runId: string,
  work: (start: TaskStart) => Promise<void>,
): Promise<void> {
  // Read once for the grant and handed to the work, which would otherwise read both again.
  const run = await deps.store.getRunState(runId);
  const user = run ? await deps.store.getUser(run.userId) : undefined;
  const grant: GrantAtStart = user?.refreshToken;
  try {
    await work({ run, user });
  } catch (error) {
    if (error instanceof ReconnectNeeded) {
      // An incremental run's messages are claimed (the cursor moved past them): failing the
      // run would lose them, so it waits for the next sign-in, like a full scan.
      await pauseForReconnect(deps, runId, grant);
      return;
    }
    if (error instanceof ClassifierPaused) {
      // Only the user can fix the key: the batch waits for a new one (see paused-runs.ts).
      await pauseRun(deps, runId, error.reason);
      return;
    }
    if (error instanceof ClassifierUnavailable) {
      deps.log.warn('OpenAI rate limited, task will be retried', { runId });
      throw new AppError('unavailable', 'OpenAI is rate limited, try again later', {
        retryAfterMs: error.retryAfterMs,
      });
    }
    if (error instanceof MailboxUnavailable) {
      deps.log.warn('gmail unavailable, task will be retried', { runId, reason: error.message });
      throw new AppError('unavailable', 'Gmail is unavailable, try again later', {
        retryAfterMs: error.retryAfterMs ?? 30_000,
      });
    }
    throw error;
  }
}
