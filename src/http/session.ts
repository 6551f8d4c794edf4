import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';

const SESSION_COOKIE = 'ctu_session';
const SESSION_TTL_MS = 7 * 86_400_000;

export interface SessionOptions {
  /** HMAC key for signed cookies. */
  readonly secret: Buffer;
  /** Set the Secure attribute (whenever PUBLIC_URL is https). */
  readonly secure: boolean;
  readonly now: () => number;
}

/** Signed, HttpOnly, SameSite=Lax cookies that carry the user id and an expiry, nothing else. */
export class Sessions {
  constructor(private readonly options: SessionOptions) {}

  async start(c: Context, userId: string): Promise<void> {
    const expires = this.options.now() + SESSION_TTL_MS;
    await setSignedCookie(c, SESSION_COOKIE, `${userId}|${expires}`, this.options.secret, {
      ...this.cookieOptions(),
      maxAge: SESSION_TTL_MS / 1000,
    });
  }

  end(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, this.cookieOptions());
  }

  /** The signed-in user id, or undefined when there is no valid, unexpired session. */
  async userId(c: Context): Promise<string | undefined> {
    const value = await getSignedCookie(c, this.options.secret, SESSION_COOKIE);
    if (!value) return undefined;
    const [userId, expires] = value.split('|');
    if (!userId || !expires || Number(expires) <= this.options.now()) return undefined;
    return userId;
  }

  /** Temporary signed cookies for the sign-in flow (state and PKCE verifier). */
  async setFlowCookie(
    c: Context,
    name: string,
    value: string,
    maxAgeSeconds: number,
  ): Promise<void> {
    await setSignedCookie(c, name, value, this.options.secret, {
      ...this.cookieOptions(),
      path: '/auth',
      maxAge: maxAgeSeconds,
    });
  }

  async takeFlowCookie(c: Context, name: string): Promise<string | undefined> {
    const value = await getSignedCookie(c, this.options.secret, name);
    deleteCookie(c, name, { ...this.cookieOptions(), path: '/auth' });
    return value || undefined;
  }

  /** Middleware: refuses requests without a session (401 for the API, redirect for pages). */
  require(kind: 'page' | 'api'): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      const userId = await this.userId(c);
      if (!userId) {
        if (kind === 'page' && c.req.method === 'GET') return c.redirect('/', 303);
        throw new AppError('unauthenticated', 'Sign in first');
      }
      c.set('userId', userId);
      return next();
    };
  }

  private cookieOptions() {
    return { httpOnly: true, secure: this.options.secure, sameSite: 'Lax' as const, path: '/' };
  }
}
