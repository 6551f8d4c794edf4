import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZERO_COUNTERS, ZERO_USAGE } from '../../src/domain/model.js';
import { Sessions } from '../../src/http/session.js';
import { FileKeyRing } from '../../src/local/file-key-ring.js';
import { TASK_TOKEN_HEADER } from '../../src/local/local-task-caller.js';
import { envelope, PUSH_TOKEN } from '../helpers/ongoing-cleanup.js';
import { recordFigures } from './figures.js';
import { type Harness, startHarness, startScan, waitForRun } from './harness.js';
import { rawRequest } from './raw-http.js';
import { dumpStore } from './store-dump.js';

const OWNER = 'bad-input@example.com';
const UNKNOWN_RUN = 'AAAAAAAAAAAAAAAAAAAAAA';
/** Path segments that try to escape, overflow or confuse the run addresses. */
const PATH_TRICKS = [
  '..',
  '../..',
  '..%2F..%2Fpackage.json',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%5c..%5cpackage.json',
  '....//....//etc/passwd',
  `${UNKNOWN_RUN}/../../healthz`,
  `${UNKNOWN_RUN}%2f..%2f..%2fhealthz`,
  '%00',
  `${UNKNOWN_RUN.slice(1)}%00`,
  'A'.repeat(5_000),
  '%F0%9F%98%80'.repeat(22),
  `${UNKNOWN_RUN.slice(2)}%C3%A9%C3%A9`,
  '%ff%fe%fd',
  '..;',
  '%20',
  'AAAAAAAAAAAAAAAAAAAAA=',
  UNKNOWN_RUN,
];

/**
 * Every entry point of the local service, fed what an attacker or a broken client would send:
 * each answer is a clear 4xx (or, for a task the queue legitimately sends about something that
 * no longer exists, a 204 that ends it), never a 5xx, and the database, read through a second
 * connection, is exactly as it was.
 */
describe('bad input at every entry point', () => {
  let h: Harness;
  let before: ReturnType<typeof dumpStore>;
  let tried = 0;
  let otherRunId = '';

  beforeAll(async () => {
    h = await startHarness({
      owner: OWNER,
      size: 400,
      seed: 501,
      strategy: 'by-sender',
      llm: false,
      env: { PUSH_VERIFICATION_TOKEN: PUSH_TOKEN },
    });
    const run = await waitForRun(h.started.service.store, await startScan(h));
    expect(run.status).toBe('DONE');
    // Someone else's run, to be refused to this user.
    otherRunId = randomBytes(16).toString('base64url');
    await h.started.service.store.createRun({
      ...run,
      id: otherRunId,
      userId: 'someone-else',
      counters: ZERO_COUNTERS,
      llm: ZERO_USAGE,
      errors: [],
    });
    await h.started.service.queue.idle();
  }, 60_000);
  afterAll(async () => {
    recordFigures('bad input', { inputsTried: tried });
    await h?.close();
  });
  beforeEach(async () => {
    await h.started.service.queue.idle();
    before = dumpStore(h.started.dataDir);
  });
  const unchanged = () => expect(dumpStore(h.started.dataDir)).toEqual(before);
  const origin = () => new URL(h.started.url).origin;
  const answers = new Map<string, number>();
  function refused(what: string, status: number, allowed: readonly number[]) {
    tried++;
    answers.set(what, status);
    expect({ what, status }).toEqual({ what, status: allowed.includes(status) ? status : -1 });
  }

  it('refuses task and cron calls without the queue credentials', async () => {
    const paths = ['/tasks/plan', '/tasks/batch', '/tasks/sync', '/tasks/watch', '/tasks/undo'];
    const bodies = [
      { runId: UNKNOWN_RUN },
      { runId: UNKNOWN_RUN, batchNo: 0 },
      { userId: h.userId },
      { userId: h.userId },
      { runId: UNKNOWN_RUN, fromBatch: 0, restored: 0 },
    ];
    const credentials: Record<string, string>[] = [
      {},
      { [TASK_TOKEN_HEADER]: '' },
      { [TASK_TOKEN_HEADER]: 'guess' },
      { [TASK_TOKEN_HEADER]: randomBytes(32).toString('base64url') },
      { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
      { 'x-cloudtasks-queuename': 'work' },
    ];
    for (const [i, path] of [...paths, '/cron/renew-watches'].entries()) {
      for (const headers of credentials) {
        const response = await fetch(`${h.started.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(bodies[i] ?? {}),
        });
        refused(`${path} ${JSON.stringify(headers)}`, response.status, [401, 403]);
      }
    }
    const notification = JSON.stringify(envelope(OWNER, 999_999_999));
    for (const query of [
      '',
      '?token=',
      '?token=wrong',
      `?token=${PUSH_TOKEN}x`,
      `?token=${PUSH_TOKEN.slice(0, -1)}`,
      `?token=${PUSH_TOKEN.toUpperCase()}`,
      `?token=${PUSH_TOKEN}%00`,
      `?TOKEN=${PUSH_TOKEN}`,
      `?token=wrong&token=${PUSH_TOKEN}`,
    ]) {
      for (const headers of [{}, { authorization: `Bearer ${PUSH_TOKEN}` }] as Record<
        string,
        string
      >[]) {
        const response = await fetch(`${h.started.url}/push/gmail${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: notification,
        });
        refused(`push ${query} ${JSON.stringify(headers)}`, response.status, [401, 403]);
      }
    }
    unchanged();
  });

  it('answers 400 to malformed task payloads, and 204 to tasks about nothing that exists', async () => {
    const nested = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const malformed: Record<string, string[]> = {
      '/tasks/plan': [
        'not json',
        '',
        '[]',
        'null',
        '"x"',
        '{}',
        nested,
        JSON.stringify({ runId: 5 }),
        JSON.stringify({ runId: '../../etc/passwd' }),
        JSON.stringify({ runId: '%2e%2e%2f%2e%2e%2f' }),
        JSON.stringify({ runId: 'A'.repeat(10_000) }),
        JSON.stringify({ runId: '😀'.repeat(11) }),
        JSON.stringify({ runId: UNKNOWN_RUN, extra: true }),
        '{"__proto__": {"polluted": true}, "runId": "AAAAAAAAAAAAAAAAAAAAAA"}',
      ],
      '/tasks/batch': [
        JSON.stringify({ runId: UNKNOWN_RUN }),
        JSON.stringify({ runId: UNKNOWN_RUN, batchNo: -1 }),
        JSON.stringify({ runId: UNKNOWN_RUN, batchNo: 1.5 }),
        JSON.stringify({ runId: UNKNOWN_RUN, batchNo: 1e12 }),
        JSON.stringify({ runId: UNKNOWN_RUN, batchNo: '0' }),
        JSON.stringify({ runId: UNKNOWN_RUN, batchNo: null }),
      ],
      '/tasks/sync': [
        JSON.stringify({ userId: '../x' }),
        JSON.stringify({ userId: '' }),
        JSON.stringify({ userId: 'a'.repeat(129) }),
        JSON.stringify({ userId: 'a\u0000b' }),
        JSON.stringify({ userId: 'ä' }),
        JSON.stringify({ userId: ['1'] }),
      ],
      '/tasks/watch': [
        JSON.stringify({ userId: h.userId, runId: '../../' }),
        JSON.stringify({ userId: { $ne: null } }),
      ],
      '/tasks/undo': [
        JSON.stringify({ runId: UNKNOWN_RUN, fromBatch: -1, restored: 0 }),
        JSON.stringify({ runId: UNKNOWN_RUN, fromBatch: 0, restored: -5 }),
        JSON.stringify({ runId: UNKNOWN_RUN, fromBatch: 0 }),
      ],
    };
    for (const [path, bodies] of Object.entries(malformed)) {
      for (const body of bodies) {
        const response = await h.started.service.callTask(path, body);
        refused(`${path} ${body.slice(0, 60)}`, response.status, [400]);
      }
    }
    // Well-formed, about nothing that exists: done at once, so the queue stops retrying.
    const gone: [string, unknown][] = [
      ['/tasks/plan', { runId: UNKNOWN_RUN }],
      ['/tasks/batch', { runId: UNKNOWN_RUN, batchNo: 0 }],
      ['/tasks/sync', { userId: '999' }],
      ['/tasks/watch', { userId: '999' }],
      ['/tasks/watch', { userId: h.userId, runId: UNKNOWN_RUN }],
      ['/tasks/undo', { runId: UNKNOWN_RUN, fromBatch: 0, restored: 0 }],
      ['/tasks/batch', { runId: otherRunId, batchNo: 0 }],
    ];
    for (const [path, body] of gone) {
      const response = await h.started.service.callTask(path, JSON.stringify(body));
      refused(`${path} ${JSON.stringify(body)}`, response.status, [204]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    unchanged();
  });

  it('refuses cross-site form posts whatever they aim at', async () => {
    const { port } = new URL(h.started.url);
    const forged: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      {},
      { referer: 'https://evil.example/page' },
      { origin: `http://127.0.0.1:${Number(port) + 1}` },
      { origin: `${origin()}.evil.example` },
      { origin: origin().toUpperCase() },
      { origin: 'https://evil.example', referer: `${origin()}/app` },
      { referer: `${origin()}.evil.example/app` },
    ];
    const targets: [string, Record<string, string>][] = [
      ['/app/runs', {}],
      ['/app/openai-key', { rulesOnly: '1' }],
      ['/app/disconnect', { confirm: 'yes' }],
      ['/app/sync', {}],
      [`/app/runs/${otherRunId}/undo`, {}],
      ['/auth/logout', {}],
    ];
    for (const [path, form] of targets) {
      for (const headers of forged) {
        const response = await h.started.client.send(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams(form).toString(),
        });
        refused(`${path} ${JSON.stringify(headers)}`, response.status, [403]);
      }
    }
    unchanged();
    expect(await h.started.service.store.getUser(h.userId)).toBeDefined();
  });

  it('refuses forged, tampered, expired and orphaned session cookies', async () => {
    const keyRing = FileKeyRing.open(join(h.started.dataDir, 'keys.json'));
    const secret = await keyRing.macKey('session');
    const cookieFor = async (userId: string, now: number, key = secret) => {
      const sessions = new Sessions({ secret: key, secure: false, now: () => now });
      const app = new Hono();
      app.get('/', async (c) => {
        await sessions.start(c, userId);
        return c.text('');
      });
      const line = (await app.request('/')).headers.get('set-cookie') ?? '';
      return line.split(';')[0]!;
    };
    const real = h.started.client.cookie(h.started.url, 'ctu_session')!;
    const [value = '', signature = ''] = decodeURIComponent(real).split(/\.(?=[^.]*$)/);
    const cookies = [
      '',
      'ctu_session=',
      'ctu_session=garbage',
      `ctu_session=${encodeURIComponent(`${h.userId}|9999999999999|9999999999999.${signature}`)}`,
      `ctu_session=${encodeURIComponent(`${value}.${signature.slice(1)}A`)}`,
      `ctu_session=${encodeURIComponent(value)}`,
      await cookieFor(h.userId, Date.now(), randomBytes(32)),
      await cookieFor(h.userId, Date.now() - 8 * 86_400_000),
      await cookieFor('someone-else', Date.now()),
      await cookieFor('999', Date.now()),
      `ctu_session=${'A'.repeat(4_000)}`,
    ];
    for (const cookie of cookies) {
      const headers = {
        origin: origin(),
        cookie,
        'content-type': 'application/x-www-form-urlencoded',
      };
      const post = await fetch(`${h.started.url}/app/runs`, {
        method: 'POST',
        headers,
        redirect: 'manual',
      });
      refused(`POST /app/runs with ${cookie.slice(0, 50)}`, post.status, [401, 404]);
      const api = await fetch(`${h.started.url}/api/runs`, { headers: { cookie } });
      refused(`GET /api/runs with ${cookie.slice(0, 50)}`, api.status, [401]);
      const page = await fetch(`${h.started.url}/app`, { headers: { cookie }, redirect: 'manual' });
      refused(`GET /app with ${cookie.slice(0, 50)}`, page.status, [303, 401]);
    }
    unchanged();
  });

  it('answers 404 to unknown runs, other users runs and path tricks on every run address', async () => {
    const cookie = `ctu_session=${h.started.client.cookie(h.started.url, 'ctu_session')}`;
    const leaks = /root:|"name":\s*"clean-that-up"|at .*\.ts:\d+|node_modules/;
    for (const trick of [...PATH_TRICKS, otherRunId]) {
      for (const [method, path] of [
        ['GET', `/runs/${trick}`],
        ['GET', `/api/runs/${trick}`],
        ['GET', `/app/runs/${trick}`],
        ['POST', `/app/runs/${trick}/undo`],
        ['GET', `/static/${trick}`],
      ] as const) {
        if (trick === otherRunId && (path.startsWith('/runs/') || path.startsWith('/api/'))) {
          continue; // the capability URL of a run is public by design
        }
        const answer = await rawRequest(h.started.url, method, path, {
          cookie,
          origin: origin(),
          accept: 'text/html',
        });
        // `..` and `%2e%2e` are dot segments to every URL parser: such a path is another
        // address (`/runs/..` is `/`), answered as that one; never an escape.
        const resolved = new URL(path, 'http://x').pathname.replace(/\/$/, '');
        const elsewhere = !resolved.startsWith(path.split('/').slice(0, 3).join('/'));
        refused(
          `${method} ${path.slice(0, 80)}`,
          answer.status,
          elsewhere ? [200, 303, 400, 404] : [400, 404, 431],
        );
        expect(answer.body).not.toMatch(leaks);
      }
    }
    unchanged();
  });

  it('answers 413 to oversized bodies and 431 to oversized headers', async () => {
    const cookie = `ctu_session=${h.started.client.cookie(h.started.url, 'ctu_session')}`;
    const big = 'x'.repeat(2 * 1024 * 1024);
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: origin() };
    for (const path of ['/app/openai-key', '/app/runs', '/app/disconnect', '/auth/logout']) {
      const answer = await rawRequest(h.started.url, 'POST', path, form, `apiKey=${big}`);
      refused(`POST ${path} 2 MiB form`, answer.status, [413]);
    }
    const json = { 'content-type': 'application/json' };
    const push = await rawRequest(
      h.started.url,
      'POST',
      `/push/gmail?token=${PUSH_TOKEN}`,
      json,
      big,
    );
    refused('push 2 MiB', push.status, [413]);
    const task = await h.started.service.callTask('/tasks/plan', JSON.stringify({ runId: big }));
    refused('task 2 MiB with credentials', task.status, [400, 413]);
    const anonymous = await rawRequest(h.started.url, 'POST', '/tasks/plan', json, big);
    refused('task 2 MiB without credentials', anonymous.status, [403, 413]);
    const longUrl = await rawRequest(h.started.url, 'GET', `/runs/${'A'.repeat(100_000)}`);
    refused('100 KB URL', longUrl.status, [404, 414, 431]);
    const longCookie = await rawRequest(h.started.url, 'GET', '/app', {
      cookie: `a=${'b'.repeat(100_000)}`,
    });
    refused('100 KB cookie', longCookie.status, [431]);
    unchanged();
  });

  it('sends a failed or forged sign-in back to the start page and creates nobody', async () => {
    const users = before.users.length;
    const attempts = [
      '/auth/google/callback',
      '/auth/google/callback?code=forged&state=forged',
      '/auth/google/callback?error=access_denied',
      '/auth/google/callback?code=&state=',
      `/auth/google/callback?code=${'a'.repeat(5_000)}&state=x`,
    ];
    for (const path of attempts) {
      const answer = await rawRequest(h.started.url, 'GET', path);
      tried++;
      expect(answer.status).toBe(303);
      expect(answer.headers.location).toMatch(/^\/\?signin=(expired|denied|failed)$/);
    }
    expect(dumpStore(h.started.dataDir).users).toHaveLength(users);
    unchanged();
  });
});
