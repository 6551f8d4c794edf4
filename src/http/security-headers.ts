import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/**
 * Scripts and styles come only from the service's own files (no inline script or style, so
 * no hashes to keep), nothing may frame the pages, and forms post only to the service.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PERMISSIONS = [
  'accelerometer=()',
  'camera=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
  'interest-cohort=()',
  'browsing-topics=()',
].join(', ');

/**
 * Strict headers on every response. A route may set its own Referrer-Policy first (the status
 * page sends none); the default `same-origin` keeps the Origin header on the service's own
 * form posts, which the CSRF check needs (`no-referrer` would make it "null").
 */
export function securityHeaders(options: { https: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set('content-security-policy', CSP);
    headers.set('x-content-type-options', 'nosniff');
    headers.set('x-frame-options', 'DENY');
    headers.set('cross-origin-opener-policy', 'same-origin');
    headers.set('cross-origin-resource-policy', 'same-origin');
    headers.set('permissions-policy', PERMISSIONS);
    if (!headers.has('referrer-policy')) headers.set('referrer-policy', 'same-origin');
    if (options.https) {
      headers.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
  };
}
