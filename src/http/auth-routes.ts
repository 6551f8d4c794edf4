import { Hono } from 'hono';
import { type GoogleSignIn, SignInError } from '../adapters/google-auth/google-sign-in.js';
import { DEFAULT_POLICY, type User } from '../domain/model.js';
import type { Clock, KeyRing, Store } from '../domain/ports.js';
import { emailHash, seal } from '../domain/sealing.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { resumePausedRuns } from '../jobs/paused-runs.js';
import type { AppEnv } from './env.js';
import type { Sessions } from './session.js';

const FLOW_COOKIE = 'ctu_oauth';

export interface AuthDeps {
  readonly signIn: GoogleSignIn;
  readonly sessions: Sessions;
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  /** To resume the runs paused while Google access was lost (see paused-runs.ts). */
  readonly jobs: JobDeps;
}

/** `GET /auth/google` sends the browser to Google; the callback signs the user in by `sub`. */
export function authRoutes(deps: AuthDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/google', async (c) => {
    const { url, state, codeVerifier } = deps.signIn.start();
    await deps.sessions.setFlowCookie(c, FLOW_COOKIE, `${state}.${codeVerifier}`, 600);
    return c.redirect(url, 302);
  });

  app.get('/google/callback', async (c) => {
    const flow = await deps.sessions.takeFlowCookie(c, FLOW_COOKIE);
    const [state, verifier] = flow?.split('.') ?? [];
    if (c.req.query('error')) return c.redirect('/?signin=denied', 303);
    const code = c.req.query('code');
    if (!state || !verifier || !code || c.req.query('state') !== state) {
      return c.redirect('/?signin=expired', 303);
    }
    let signedIn: Awaited<ReturnType<GoogleSignIn['complete']>>;
    try {
      signedIn = await deps.signIn.complete(code, verifier);
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      c.get('log').warn('sign-in refused', { reason: error.message });
      return c.redirect('/?signin=failed', 303);
    }
    const now = deps.clock.now();
    const hash = await emailHash(deps.keyRing, signedIn.emailAddress);
    const refreshToken = signedIn.refreshToken
      ? await seal(deps.keyRing, signedIn.refreshToken, signedIn.sub)
      : undefined;
    const existing = await deps.store.getUser(signedIn.sub);
    if (existing) {
      await deps.store.updateUser(existing.id, {
        emailHash: hash,
        ...(refreshToken ? { refreshToken, needsReconnect: false } : {}),
        updatedAt: now,
      });
      // The new grant first, then the runs that waited for it go on with it.
      if (refreshToken) await resumePausedRuns(deps.jobs, existing.id, 'google_access');
    } else {
      if (!refreshToken) return c.redirect('/?signin=failed', 303);
      const user: User = {
        id: signedIn.sub,
        emailHash: hash,
        refreshToken,
        openAiKey: null,
        needsReconnect: false,
        policy: DEFAULT_POLICY,
        watch: null,
        cursor: null,
        createdAt: now,
        updatedAt: now,
      };
      await deps.store.putUser(user);
    }
    await deps.sessions.start(c, signedIn.sub);
    c.get('log').info('signed in', { newUser: !existing });
    return c.redirect(existing ? '/app' : '/app/openai-key', 303);
  });

  app.post('/logout', async (c) => {
    deps.sessions.end(c);
    return c.redirect('/', 303);
  });

  return app;
}
