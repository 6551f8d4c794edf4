import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The static files under web/static (next to this module, in dist/ as well). Each is read once,
 * on first use; its URL carries a hash of the content, so it can be cached for a year.
 */

const TYPES: Readonly<Record<string, string>> = {
  'app.css': 'text/css; charset=utf-8',
  'run-status.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export interface Asset {
  readonly body: ArrayBuffer;
  readonly type: string;
  /** The first 16 hex digits of the content's SHA-256: the URL's `v` and the ETag. */
  readonly version: string;
}

const loaded = new Map<string, Asset>();

/** The asset called `name`, or undefined when there is no such static file. */
export function asset(name: string): Asset | undefined {
  const type = TYPES[name];
  if (type === undefined) return undefined;
  let found = loaded.get(name);
  if (!found) {
    const body = readFileSync(fileURLToPath(new URL(`./static/${name}`, import.meta.url)));
    const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const copy = new ArrayBuffer(body.byteLength);
    new Uint8Array(copy).set(body);
    found = { body: copy, type, version };
    loaded.set(name, found);
  }
  return found;
}

/** `/static/app.css?v=<hash>`: a new file gets a new URL. */
export function assetUrl(name: string): string {
  const found = asset(name);
  if (!found) throw new Error(`No static asset ${name}`);
  return `/static/${name}?v=${found.version}`;
}
