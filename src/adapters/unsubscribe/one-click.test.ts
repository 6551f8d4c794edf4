import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsEndpoint, type TlsEndpoint } from '../../../test/helpers/tls-endpoint.js';
import { type OneClickOptions, sendOneClick } from './one-click.js';

const SENDER = 'unsubscribe.sender-one.net';
const INSIDE = 'inside.sender-one.net';

interface Seen {
  readonly path: string;
  readonly method: string;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

describe('the RFC 8058 one-click request', () => {
  let endpoint: TlsEndpoint;
  const seen: Seen[] = [];
  const looked: string[] = [];

  /** Test-only settings: names resolve to loopback (or, for INSIDE, a private address). */
  const testOptions = (): OneClickOptions => ({
    allowLoopback: true,
    ca: endpoint.ca,
    timeoutMs: 2_000,
    resolve: async (host) => {
      looked.push(host);
      return [{ address: host === INSIDE ? '10.1.2.3' : '127.0.0.1', family: 4 }];
    },
  });
  const url = (path: string) => new URL(`https://${SENDER}:${endpoint.port}${path}`);

  beforeAll(async () => {
    endpoint = await startTlsEndpoint([SENDER, INSIDE], (req, body, res) => {
      seen.push({ path: req.url ?? '', method: req.method ?? '', body, headers: req.headers });
      if (req.url === '/ok') return res.writeHead(200).end('done');
      if (req.url === '/to-private') {
        return res.writeHead(307, { location: 'https://192.168.1.10/unsubscribe' }).end();
      }
      if (req.url === '/to-inside') {
        return res.writeHead(302, { location: `https://${INSIDE}:${endpoint.port}/ok` }).end();
      }
      if (req.url === '/to-ok') return res.writeHead(308, { location: '/ok' }).end();
      if (req.url?.startsWith('/gone?')) return res.writeHead(410).end();
      // '/slow' never answers.
      return undefined;
    });
  });
  afterAll(async () => {
    await endpoint?.close();
  });

  it('posts List-Unsubscribe=One-Click, form-encoded, without cookies or credentials', async () => {
    const result = await sendOneClick(url('/ok'), testOptions());
    expect(result.outcome).toBe('unsubscribed');
    const request = seen.find((s) => s.path === '/ok')!;
    expect(request).toMatchObject({ method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.cookie).toBeUndefined();
    expect(request.headers.authorization).toBeUndefined();
  });

  it('follows a redirect on the same public sender', async () => {
    expect((await sendOneClick(url('/to-ok'), testOptions())).outcome).toBe('unsubscribed');
  });

  it('refuses a redirect to a private address without connecting to it', async () => {
    const result = await sendOneClick(url('/to-private'), testOptions());
    expect(result).toEqual({
      outcome: 'refused',
      detail: 'the sender named an address that is not public',
    });
  });

  it('refuses a redirect to a name that resolves to a private address', async () => {
    const before = seen.length;
    const result = await sendOneClick(url('/to-inside'), testOptions());
    expect(result.outcome).toBe('refused');
    expect(looked).toContain(INSIDE);
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/to-inside']);
  });

  it('gives up on a sender that does not answer in time', async () => {
    const started = Date.now();
    const result = await sendOneClick(url('/slow'), { ...testOptions(), timeoutMs: 300 });
    expect(result.outcome).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports a refusal by the sender as failed, and never names the URL', async () => {
    const result = await sendOneClick(url('/gone?token=secret'), testOptions());
    expect(result).toEqual({ outcome: 'failed', detail: 'the sender answered with status 410' });
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('refuses loopback without the test-only setting, as production does', async () => {
    const before = seen.length;
    const { allowLoopback: _, ...production } = testOptions();
    expect((await sendOneClick(url('/ok'), production)).outcome).toBe('refused');
    const literal = new URL(`https://127.0.0.1:${endpoint.port}/ok`);
    expect((await sendOneClick(literal, production)).outcome).toBe('refused');
    expect(seen.length).toBe(before);
  });

  it('refuses plain http and names that never resolve publicly, without a lookup', async () => {
    const lookups = looked.length;
    expect(
      (await sendOneClick(new URL('http://news.sender-one.net/u'), testOptions())).outcome,
    ).toBe('refused');
    expect((await sendOneClick(new URL('https://list.example/u'), testOptions())).outcome).toBe(
      'refused',
    );
    expect(looked.length).toBe(lookups);
  });
});
