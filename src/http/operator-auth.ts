import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';
import type { TaskCaller } from './task-routes.js';

/**
 * Local mode's operator: `Authorization: Bearer OPERATOR_TOKEN`. Without a configured token
 * nobody is an operator.
 */
export function bearerTokenOperator(token: string | undefined): TaskCaller {
  const expected = token ? Buffer.from(token) : undefined;
  return {
    verify: async (request) => {
      const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      if (!expected || !given) return false;
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

/**
 * Lets operators through: 401 without credentials (no Authorization header), 403 with
 * credentials that are not an operator's.
 */
export function requireOperator(operator: TaskCaller): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.req.header('authorization')) {
      c.header('www-authenticate', 'Bearer');
      throw new AppError('unauthenticated', 'Operator credentials required');
    }
    if (!(await operator.verify(c.req.raw))) throw new AppError('forbidden', 'Not an operator');
    await next();
  };
}
