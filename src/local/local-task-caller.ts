import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { TaskCaller } from '../http/task-routes.js';

export const TASK_TOKEN_HEADER = 'x-clean-that-up-task';

/**
 * Local mode's task authentication: only the in-process queue knows this per-process secret,
 * so nobody else can call the task endpoints.
 */
export class LocalTaskCaller implements TaskCaller {
  readonly token = randomBytes(32).toString('base64url');

  async verify(request: Request): Promise<boolean> {
    const given = Buffer.from(request.headers.get(TASK_TOKEN_HEADER) ?? '');
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
