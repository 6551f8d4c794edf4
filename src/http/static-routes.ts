import { Hono } from 'hono';
import { asset } from '../../web/assets.js';
import type { AppEnv } from './env.js';

const YEAR = 31_536_000;

/**
 * `GET /static/{name}`: the CSS and the one script. A URL with the current version (as the
 * pages link them) is immutable for a year; any other is cached briefly and revalidated.
 */
export function staticRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/:name', (c) => {
    const found = asset(c.req.param('name'));
    if (!found) return c.text('Not found', 404);
    const etag = `"${found.version}"`;
    const versioned = c.req.query('v') === found.version;
    c.header(
      'cache-control',
      versioned ? `public, max-age=${YEAR}, immutable` : 'public, max-age=300',
    );
    c.header('etag', etag);
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    c.header('content-type', found.type);
    return c.body(found.body);
  });

  return app;
}
