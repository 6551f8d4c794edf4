import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorPage } from '../../web/pages/error.js';

/** Machine endpoints answer errors in JSON whatever the caller accepts. */
const MACHINE_PATHS = /^\/(api|tasks|push|cron|healthz|_sim)(\/|$)/;

/** Whether an error should be shown as a page: a browser asking for one of the pages. */
export function wantsHtml(c: Context): boolean {
  return !MACHINE_PATHS.test(c.req.path) && (c.req.header('accept') ?? '').includes('text/html');
}

export function errorPage(c: Context, status: ContentfulStatusCode, message: string) {
  c.header('cache-control', 'no-store');
  return c.html(<ErrorPage status={status} message={message} />, status);
}
