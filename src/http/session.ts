import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';

const SESSION_COOKIE = 'ctu_session';
const SESSION_TTL_MS = 7 * 86_400_000;
/** A session unused this long ends before its 7 days are up. */
const IDLE_TTL_MS = 2 * 86_400_000;
/** The idle deadline moves (a new cookie) at most this often. */
const IDLE_REFRESH_MS = 10 * 60_000;

export interface SessionOptions {
  /** HMAC key for signed cookies. */
  readonly secret: Buffer;
  /** Set the Secure attribute (whenever PUBLIC_URL is https). */
  readonly secure: boolean;
  readonly now: () => number;
}

/**
 * Signed, HttpOnly, SameSite=Lax cookies that carry the user id and two deadlines, nothing
 * else: seven days after sign-in, or two days without use, whichever comes first.
 */
export class Sessions {
  /** The HMAC key as text: Hono takes a string or a DOM BufferSource, not a Node Buffer. */
  private readonly secret: string;

  constructor(private readonly options: SessionOptions) {
    this.secret = options.secret.toString('base64');
  }

  async start(c: Context, userId: string): Promise<void> {
    await this.write(c, userId, this.options.now() + SESSION_TTL_MS);
  }

  end(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, this.cookieOptions());
  }

  /** The signed-in user id, or undefined when there is no valid, unexpired session. */
  async userId(c: Context): Promise<string | undefined> {
    return (await this.read(c))?.userId;
  }

  /** Temporary signed cookies for the sign-in flow (state and PKCE verifier). */
  async setFlowCookie(
    c: Context,
    name: string,
    value: string,
    maxAgeSeconds: number,
  ): Promise<void> {
    await setSignedCookie(c, name, value, this.secret, {
      ...this.cookieOptions(),
      path: '/auth',
      maxAge: maxAgeSeconds,
    });
  }

  async takeFlowCookie(c: Context, name: string): Promise<string | undefined> {
    const value = await getSignedCookie(c, this.secret, name);
    deleteCookie(c, name, { ...this.cookieOptions(), path: '/auth' });
    return value || undefined;
  }

  /** Middleware: refuses requests without a session (401 for the API, redirect for pages). */
  require(kind: 'page' | 'api'): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      const session = await this.read(c);
      if (!session) {
        if (kind === 'page' && c.req.method === 'GET') return c.redirect('/', 303);
        throw new AppError('unauthenticated', 'Sign in first');
      }
      // In use: the idle deadline moves on (not on every request: one new cookie per 10 min).
      if (session.idle - this.options.now() < IDLE_TTL_MS - IDLE_REFRESH_MS) {
        await this.write(c, session.userId, session.expires);
      }
      c.set('userId', session.userId);
      return next();
    };
  }

  private async read(c: Context) {
    const value = await getSignedCookie(c, this.secret, SESSION_COOKIE);
    if (!value) return undefined;
    const [userId, expiresText, idleText] = value.split('|');
    const expires = Number(expiresText);
    const idle = idleText === undefined ? expires : Number(idleText);
    const now = this.options.now();
    if (!userId || !(expires > now) || !(idle > now)) return undefined;
    return { userId, expires, idle };
  }

  private async write(c: Context, userId: string, expires: number): Promise<void> {
    const now = this.options.now();
    const idle = Math.min(expires, now + IDLE_TTL_MS);
    await setSignedCookie(c, SESSION_COOKIE, `${userId}|${expires}|${idle}`, this.secret, {
      ...this.cookieOptions(),
      maxAge: Math.max(1, Math.floor((expires - now) / 1000)),
    });
  }

  private cookieOptions() {
    return { httpOnly: true, secure: this.options.secure, sameSite: 'Lax' as const, path: '/' };
  }
}
