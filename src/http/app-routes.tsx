import { Hono } from 'hono';
import { DashboardPage } from '../../web/pages/dashboard.js';
import { OpenAiKeyPage } from '../../web/pages/openai-key.js';
import type { Clock, KeyCheck, KeyRing, Store } from '../domain/ports.js';
import { seal } from '../domain/sealing.js';
import { AppError } from '../errors.js';
import type { JobDeps } from '../jobs/job-deps.js';
import { resumePausedRuns } from '../jobs/paused-runs.js';
import { startFullScan } from '../jobs/start-full-scan.js';
import type { AppEnv } from './env.js';
import { runView } from './run-view.js';
import type { Sessions } from './session.js';

export interface AppRoutesDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly sessions: Sessions;
  readonly jobs: JobDeps;
  readonly checkOpenAiKey: (apiKey: string) => Promise<KeyCheck>;
}

const OPENAI_KEY = /^sk-[A-Za-z0-9_-]{16,256}$/;

/** The signed-in part: dashboard, OpenAI key, starting a run. Every POST passed the CSRF check. */
export function appRoutes(deps: AppRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(deps.sessions.require('page'));

  const currentUser = async (userId: string) => {
    const user = await deps.store.getUser(userId);
    if (!user)
      throw new AppError('unauthenticated', 'Your account no longer exists: sign in again');
    return user;
  };

  app.get('/', async (c) => {
    const user = await currentUser(c.get('userId'));
    const runs = await deps.store.listRuns(user.id, 20);
    return c.html(<DashboardPage runs={runs.map(runView)} needsReconnect={user.needsReconnect} />);
  });

  app.get('/openai-key', async (c) => {
    const user = await currentUser(c.get('userId'));
    return c.html(<OpenAiKeyPage hasKey={user.openAiKey !== null} />);
  });

  app.post('/openai-key', async (c) => {
    const user = await currentUser(c.get('userId'));
    const form = await c.req.parseBody();
    if (form.rulesOnly === '1') {
      await deps.store.updateUser(user.id, { openAiKey: null, updatedAt: deps.clock.now() });
      await resumePausedRuns(deps.jobs, user.id);
      return c.redirect('/app', 303);
    }
    const apiKey = typeof form.apiKey === 'string' ? form.apiKey.trim() : '';
    if (!OPENAI_KEY.test(apiKey)) {
      return c.html(
        <OpenAiKeyPage
          hasKey={user.openAiKey !== null}
          error="That does not look like an OpenAI API key (it starts with sk-)."
        />,
        400,
      );
    }
    // A cheap call with the key before anything is stored; a rejected key stores nothing.
    const check = await deps.checkOpenAiKey(apiKey);
    if (!check.ok) {
      return c.html(<OpenAiKeyPage hasKey={user.openAiKey !== null} error={check.message} />, 400);
    }
    const sealed = await seal(deps.keyRing, apiKey, user.id);
    await deps.store.updateUser(user.id, { openAiKey: sealed, updatedAt: deps.clock.now() });
    // Runs paused by the previous key (rejected, out of quota) go on with this one.
    await resumePausedRuns(deps.jobs, user.id);
    return c.redirect('/app', 303);
  });

  app.post('/runs', async (c) => {
    const run = await startFullScan(deps.jobs, c.get('userId'));
    return c.redirect(`/runs/${run.id}`, 303);
  });

  return app;
}
