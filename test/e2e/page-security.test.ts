import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/model.js';
import { HttpClient } from '../helpers/http-client.js';
import { type DemoService, startDemoService } from './demo-service.js';

const HTML = { accept: 'text/html,application/xhtml+xml' };
const FORGED = 'https://evil.example';

async function finished(demo: DemoService, runId: string): Promise<Run> {
  for (;;) {
    const run = await demo.service.store.getRun(runId);
    if (run && ['DONE', 'FAILED', 'CANCELLED'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Inline script, inline style or event-handler attributes: what the CSP would block. */
const INLINE = /<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=/i;

describe('the pages and form posts, over HTTP', () => {
  let demo: DemoService;
  let client: HttpClient;
  let runId: string;

  beforeAll(async () => {
    demo = await startDemoService({
      DEMO_MAILBOX_SIZE: '400',
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
    });
    client = new HttpClient(demo.url);
    await client.follow('/auth/google');
    await client.post('/app/openai-key', { rulesOnly: '1' });
    const start = await client.post('/app/runs');
    runId = start.headers.get('location')!.replace('/runs/', '');
    await finished(demo, runId);
  }, 60_000);

  afterAll(async () => {
    await demo?.close();
  });

  it('refuses every form post sent from another site or without an origin', async () => {
    const posts: [string, Record<string, string>][] = [
      ['/app/runs', {}],
      ['/app/openai-key', { rulesOnly: '1' }],
      [`/app/runs/${runId}/undo`, {}],
      ['/app/disconnect', { confirm: 'yes' }],
      ['/auth/logout', {}],
    ];
    const body = (form: Record<string, string>) => new URLSearchParams(form).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded', ...HTML };
    for (const [path, fields] of posts) {
      const forged = await client.post(path, fields, FORGED);
      expect(forged.status, `${path} from another site`).toBe(403);
      expect(await forged.text()).toContain('Cross-site request refused');
      const opaque = await client.post(path, fields, 'null');
      expect(opaque.status, `${path} with Origin: null`).toBe(403);
      const bare = await client.send(path, { method: 'POST', headers: form, body: body(fields) });
      expect(bare.status, `${path} without Origin or Referer`).toBe(403);
    }
    const runs = await demo.service.store.listRuns((await finished(demo, runId)).userId, 10);
    expect(runs.map((r) => r.id)).toEqual([runId]);
    expect(runs[0]?.errors).toEqual([]);
    expect((await client.get('/app')).status).toBe(200);
  });

  it('answers an unknown or malformed run id with a 404 page', async () => {
    for (const path of ['/runs/AAAAAAAAAAAAAAAAAAAAAA', '/runs/..%2F..%2Fetc', '/runs/x']) {
      const page = await fetch(`${demo.url}${path}`, { headers: HTML });
      expect(page.status, path).toBe(404);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('Page not found');
    }
    const api = await fetch(`${demo.url}/api/runs/AAAAAAAAAAAAAAAAAAAAAA`, { headers: HTML });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('shows no address, sender or subject on the status page or in its API', async () => {
    const messages = [...demo.google.account(demo.email).messagesAfter(undefined)];
    const texts = [
      await (await fetch(`${demo.url}/runs/${runId}`, { headers: HTML })).text(),
      await (await fetch(`${demo.url}/api/runs/${runId}`)).text(),
    ];
    for (const text of texts) {
      expect(text).toContain('1'); // the page is about something
      expect(text).not.toContain(demo.email);
      expect(text).not.toContain('@');
      for (const message of messages) {
        expect(text).not.toContain(message.from.address);
        if (message.subject.length >= 8) expect(text).not.toContain(message.subject);
      }
    }
  });

  it('sends strict security headers and no inline script or style with every page', async () => {
    const pages = [
      '/',
      '/app',
      '/app/openai-key',
      `/runs/${runId}`,
      `/app/runs/${runId}`,
      '/disconnected',
      '/nowhere',
    ];
    for (const path of pages) {
      const response = await client.send(path, { method: 'GET', headers: HTML });
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('permissions-policy')).toContain('camera=()');
      expect(response.headers.get('referrer-policy')).toMatch(/^(same-origin|no-referrer)$/);
      // Served over http here: HSTS only goes with an https PUBLIC_URL.
      expect(response.headers.get('strict-transport-security')).toBeNull();
      const html = await response.text();
      expect(html.startsWith('<!DOCTYPE html>'), path).toBe(true);
      expect(html).not.toMatch(INLINE);
      if (path.startsWith('/app') || path.startsWith('/runs')) {
        expect(response.headers.get('cache-control'), path).toBe('no-store');
      }
    }
    const status = await fetch(`${demo.url}/runs/${runId}`);
    expect(status.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it("keeps another user's run out of reach, and asks before disconnecting", async () => {
    const own = (await demo.service.store.getRun(runId))!;
    const other = { ...own, id: 'AnotherUsersRun0000000', userId: 'someone-else' };
    await demo.service.store.createRun(other);
    expect(
      (await client.send(`/app/runs/${other.id}`, { method: 'GET', headers: HTML })).status,
    ).toBe(404);
    expect((await client.post(`/app/runs/${other.id}/undo`)).status).toBe(404);
    expect((await demo.service.store.getRun(other.id))?.errors).toEqual([]);
    // The status page needs no session: its id is the capability.
    expect((await fetch(`${demo.url}/runs/${other.id}`)).status).toBe(200);

    const unconfirmed = await client.post('/app/disconnect', {});
    expect(unconfirmed.status).toBe(400);
    expect(await demo.service.store.getUser(own.userId)).toBeDefined();
  });

  it('serves the stylesheet for a year under its versioned URL, and revalidates the rest', async () => {
    const html = await (await fetch(`${demo.url}/`)).text();
    const href = /href="(\/static\/app\.css\?v=[0-9a-f]+)"/.exec(html)?.[1];
    expect(href).toBeDefined();
    const css = await fetch(`${demo.url}${href}`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = css.headers.get('etag')!;
    const again = await fetch(`${demo.url}/static/app.css`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await fetch(`${demo.url}/static/../package.json`)).status).toBe(404);
  });
});
