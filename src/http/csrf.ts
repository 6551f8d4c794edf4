import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';

/**
 * CSRF protection for state-changing requests: the Origin header (or, failing that, the
 * Referer) must be the service's own origin. A request with neither is refused.
 */
export function sameOrigin(publicUrl: string): MiddlewareHandler<AppEnv> {
  const expected = new URL(publicUrl).origin;
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS')
      return next();
    const origin = c.req.header('origin') ?? refererOrigin(c.req.header('referer'));
    if (origin !== expected) {
      throw new AppError('forbidden', 'Cross-site request refused: reload the page and try again');
    }
    await next();
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer || !URL.canParse(referer)) return undefined;
  return new URL(referer).origin;
}
