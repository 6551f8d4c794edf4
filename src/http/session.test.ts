import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './env.js';
import { Sessions } from './session.js';

const DAY = 86_400_000;

/** A tiny app with sign-in and one signed-in page, on a clock the test moves. */
function appWith(secure: boolean) {
  let now = 1_800_000_000_000;
  const sessions = new Sessions({ secret: Buffer.alloc(32, 1), secure, now: () => now });
  const app = new Hono<AppEnv>();
  app.post('/start', async (c) => {
    await sessions.start(c, 'user-1');
    return c.body(null, 204);
  });
  app.get('/page', sessions.require('page'), (c) => c.text(c.get('userId')));
  let cookie = '';
  const send = async (path: string, method = 'GET') => {
    const response = await app.request(path, { method, headers: { cookie } });
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return response;
  };
  return {
    send,
    advance: (ms: number) => {
      now += ms;
    },
    cookie: () => cookie,
    useCookie: (value: string) => {
      cookie = value;
    },
  };
}

describe('Sessions', () => {
  it('sets a signed HttpOnly SameSite=Lax cookie, Secure when the service is on https', async () => {
    const plain = await appWith(false).send('/start', 'POST');
    expect(plain.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(plain.headers.get('set-cookie')).toMatch(/SameSite=Lax/);
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    const secure = await appWith(true).send('/start', 'POST');
    expect(secure.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('ends a session left unused for two days', async () => {
    const { send, advance } = appWith(false);
    await send('/start', 'POST');
    advance(2 * DAY - 60_000);
    expect((await send('/page')).status).toBe(200);
    // That visit moved the idle deadline on.
    advance(2 * DAY - 60_000);
    expect((await send('/page')).status).toBe(200);
    advance(2 * DAY + 1);
    expect((await send('/page')).status).toBe(303);
  });

  it('ends every session seven days after sign-in, however much it is used', async () => {
    const { send, advance } = appWith(false);
    await send('/start', 'POST');
    for (let day = 0; day < 6; day++) {
      advance(DAY);
      expect((await send('/page')).status).toBe(200);
    }
    advance(DAY + 1);
    expect((await send('/page')).status).toBe(303);
  });

  it('refuses a cookie whose value was changed', async () => {
    const { send, cookie, useCookie } = appWith(false);
    await send('/start', 'POST');
    const [name, value] = cookie().split('=');
    useCookie(`${name}=${decodeURIComponent(value!).replace('user-1', 'user-2')}`);
    expect((await send('/page')).status).toBe(303);
  });
});
