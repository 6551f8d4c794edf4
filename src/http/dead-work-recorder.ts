import type { MiddlewareHandler } from 'hono';
import type { DeadWorkLog } from '../domain/dead-work.js';
import type { Clock } from '../domain/ports.js';
import type { AppEnv } from './env.js';
import type { TaskCaller } from './task-routes.js';

export interface DeadWorkRecorderOptions {
  readonly log: DeadWorkLog;
  readonly clock: Clock;
  /** The queue's `max_attempts` (terraform `tasks_max_attempts`). */
  readonly taskMaxAttempts: number;
  /** The push subscription's `max_delivery_attempts`. */
  readonly pushMaxAttempts: number;
  /** The task queue's caller check: only the queue's own calls are recorded. */
  readonly tasks: TaskCaller;
  readonly push: TaskCaller;
}

/** Whether an answer makes the platform try again (anything but 2xx; 102 acknowledges a push). */
const failed = (status: number) => status >= 300;

/**
 * Records a task's or a push's last attempt when it failed: Cloud Tasks drops the task, and
 * Pub/Sub dead-letters the notification. The attempt counts come from the platform (a task's
 * `X-CloudTasks-TaskRetryCount`, 0 on the first attempt; the envelope's `deliveryAttempt`, 1 on
 * the first), and only calls the platform's own credentials vouch for are recorded.
 */
export function deadWorkRecorder(options: DeadWorkRecorderOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const status = c.res.status;
    if (!failed(status)) return;
    try {
      const path = c.req.path;
      if (path.startsWith('/tasks/')) {
        const retries = Number(c.req.header('x-cloudtasks-taskretrycount'));
        const key = c.req.header('x-cloudtasks-taskname');
        if (!Number.isInteger(retries) || !key || retries + 1 < options.taskMaxAttempts) return;
        if (!(await options.tasks.verify(c.req.raw))) return;
        await options.log.record({
          source: 'task',
          key,
          path,
          status,
          attempts: retries + 1,
          at: options.clock.now(),
        });
      } else if (path === '/push/gmail') {
        const body = (await c.req.json().catch(() => undefined)) as
          | { message?: { messageId?: unknown }; deliveryAttempt?: unknown }
          | undefined;
        const attempt = body?.deliveryAttempt;
        const key = body?.message?.messageId;
        if (typeof attempt !== 'number' || typeof key !== 'string') return;
        if (attempt < options.pushMaxAttempts || !(await options.push.verify(c.req.raw))) return;
        await options.log.record({
          source: 'push',
          key,
          path,
          status,
          attempts: attempt,
          at: options.clock.now(),
        });
      } else {
        return;
      }
      c.get('log').error('dead work: the platform gives up on it', { path, status });
    } catch (error) {
      // The answer stands whatever happens to its record.
      c.get('log').warn('dead work not recorded', { error });
    }
  };
}
