import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { QuotaScheduler } from '../../src/adapters/gmail/quota-scheduler.js';
import { googleEndpoints } from '../../src/adapters/google-auth/google-endpoints.js';
import { GoogleSignIn } from '../../src/adapters/google-auth/google-sign-in.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { TaskQueue } from '../../src/domain/ports.js';
import { RulesClassifier } from '../../src/domain/rules-classifier.js';
import type { AppEnv } from '../../src/http/env.js';
import { Sessions } from '../../src/http/session.js';
import type { TaskCaller } from '../../src/http/task-routes.js';
import { openDatabase } from '../../src/local/sqlite/open-database.js';
import { SqliteStore } from '../../src/local/sqlite/sqlite-store.js';
import { StaticKeyRing } from '../../src/local/static-key-ring.js';
import { randomRunIds, systemClock } from '../../src/local/system.js';
import { silentLogger } from '../../src/log.js';

/**
 * The whole app over an empty in-memory store, to see how its task endpoints answer a request
 * a queue built: a task for a run that does not exist is done at once (204).
 */
export function taskEndpointsApp(caller: TaskCaller, queue: TaskQueue): Hono<AppEnv> {
  const store = new SqliteStore(openDatabase(':memory:'));
  const key = randomBytes(32).toString('base64');
  const keyRing = new StaticKeyRing({ version: 1, current: 'k', keys: { k: key }, macRoot: key });
  const config = loadConfig({});
  return createApp({
    config,
    log: silentLogger,
    services: {
      store,
      keyRing,
      clock: systemClock,
      sessions: new Sessions({ secret: randomBytes(32), secure: true, now: Date.now }),
      signIn: new GoogleSignIn({
        clientId: config.google.clientId,
        clientSecret: config.google.clientSecret,
        redirectUri: config.google.redirectUri,
        endpoints: googleEndpoints(),
        authorizeUrl: googleEndpoints().authorize,
        quota: { ledger: new QuotaScheduler(config.gmailQuota), units: config.gmailQuota.units },
      }),
      jobs: {
        store,
        queue,
        clock: systemClock,
        scanStrategy: 'by-message',
        ids: randomRunIds,
        log: silentLogger,
        mailboxFor: async () => {
          throw new Error('no mailbox in this test');
        },
        classifierFor: async () => new RulesClassifier(),
        watchTopic: undefined,
      },
      taskCaller: caller,
      checkOpenAiKey: async () => ({ ok: true }),
    },
  });
}
