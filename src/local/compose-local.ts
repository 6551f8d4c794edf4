import { join } from 'node:path';
import type { Hono } from 'hono';
import { gmailMailboxFactory } from '../adapters/gmail/mailbox-factory.js';
import { QuotaScheduler } from '../adapters/gmail/quota-scheduler.js';
import { googleEndpoints } from '../adapters/google-auth/google-endpoints.js';
import { GoogleSignIn } from '../adapters/google-auth/google-sign-in.js';
import { openAiClassifierFor } from '../adapters/openai/classifier-factory.js';
import { checkOpenAiKey } from '../adapters/openai/key-check.js';
import { type OneClickOptions, sendOneClick } from '../adapters/unsubscribe/one-click.js';
import { createApp, SIMULATED_GOOGLE_PATH } from '../app.js';
import type { Config } from '../config.js';
import type { Clock, Ids } from '../domain/ports.js';
import type { AppEnv } from '../http/env.js';
import { bearerTokenOperator } from '../http/operator-auth.js';
import { Sessions } from '../http/session.js';
import type { JobDeps } from '../jobs/job-deps.js';
import type { Logger } from '../log.js';
import { DEMO_TOPIC } from './demo-google.js';
import { FileKeyRing } from './file-key-ring.js';
import type { SimulatedGoogle } from './google/simulated-google.js';
import { localNotifications } from './local-notifications.js';
import { LocalTaskCaller, TASK_TOKEN_HEADER } from './local-task-caller.js';
import { PushTokenCaller } from './push-token-caller.js';
import { InProcessQueue } from './queue/in-process-queue.js';
import { openDatabase } from './sqlite/open-database.js';
import { SqliteStats } from './sqlite/sqlite-stats.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { randomRunIds, systemClock } from './system.js';

export interface LocalService {
  readonly app: Hono<AppEnv>;
  readonly queue: InProcessQueue;
  readonly store: SqliteStore;
  /** Starts the queue, the hourly cron and, if configured, the Pub/Sub pull subscriber. */
  start(): void;
  /** Calls the cron endpoint now, as the hourly timer does. */
  runCron(): Promise<Response>;
  /** Calls a task endpoint now with the queue's credentials, as the queue does (tests). */
  callTask(path: string, body: string): Promise<Response>;
  /** Stops the queue (waiting for running tasks) and closes the database. */
  close(): Promise<void>;
}

export interface LocalOverrides {
  readonly clock?: Clock;
  readonly ids?: Ids;
  /** Demo mode's simulated Google, served by this app. */
  readonly simulatedGoogle?: SimulatedGoogle | undefined;
  /** How quota waits and retries keep time (tests run them on a faster clock). */
  readonly timing?: { readonly clock: Clock; readonly sleep: (ms: number) => Promise<void> };
  /** Test-only settings of the one-click unsubscribe request (a local endpoint, loopback). */
  readonly unsubscribe?: OneClickOptions | undefined;
}

/** Local mode's composition: SQLite, the in-process queue, the key file, the Gmail adapter. */
export async function composeLocal(
  config: Config,
  log: Logger,
  overrides: LocalOverrides = {},
): Promise<LocalService> {
  const clock = overrides.clock ?? systemClock;
  const keyRing = FileKeyRing.open(join(config.dataDir, 'keys.json'));
  const db = openDatabase(join(config.dataDir, 'clean-that-up.db'));
  const store = new SqliteStore(db);

  const simulated = overrides.simulatedGoogle !== undefined;
  const apiBase = simulated
    ? `http://127.0.0.1:${config.port}${SIMULATED_GOOGLE_PATH}`
    : config.google.apiBaseUrl;
  const endpoints = googleEndpoints(apiBase);
  const authorizeUrl = simulated
    ? `${config.publicUrl}${SIMULATED_GOOGLE_PATH}/o/oauth2/v2/auth`
    : endpoints.authorize;

  const caller = new LocalTaskCaller();
  let app: Hono<AppEnv> | undefined;
  const queue = new InProcessQueue({
    db,
    clock,
    log,
    dispatch: async (task) => {
      const response = await app!.request(task.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TASK_TOKEN_HEADER]: caller.token },
        body: JSON.stringify(task.payload),
      });
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        status: response.status,
        ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    },
  });

  const scheduler = new QuotaScheduler({
    userUnitsPerMinute: config.gmailQuota.userUnitsPerMinute,
    projectUnitsPerMinute: config.gmailQuota.projectUnitsPerMinute,
    projectUnitsPerDay: config.gmailQuota.projectUnitsPerDay,
    ...(overrides.timing ?? {}),
  });
  const jobs: JobDeps = {
    store,
    queue,
    clock,
    ids: overrides.ids ?? randomRunIds,
    log,
    mailboxFor: gmailMailboxFactory({
      clientId: config.google.clientId,
      clientSecret: config.google.clientSecret,
      endpoints,
      keyRing,
      ledger: scheduler,
      units: config.gmailQuota.units,
      ...(overrides.timing ? { sleep: overrides.timing.sleep } : {}),
    }),
    classifierFor: openAiClassifierFor({
      settings: config.openai,
      prices: config.openai.prices,
      keyRing,
      senders: store,
      spend: { runs: store, now: () => clock.now() },
      log,
      ...(overrides.timing ? { sleep: overrides.timing.sleep } : {}),
    }),
    // Demo mode's simulated Gmail publishes the demo topic to this process's push endpoint.
    scanStrategy: config.scanStrategy,
    watchTopic: simulated ? DEMO_TOPIC : config.push.topic,
    dailyQuota: { ledger: scheduler, units: config.gmailQuota.units },
  };
  const sessions = new Sessions({
    secret: await keyRing.macKey('session'),
    secure: config.publicUrl.startsWith('https:'),
    now: () => clock.now(),
  });
  const signIn = new GoogleSignIn({
    clientId: config.google.clientId,
    clientSecret: config.google.clientSecret,
    redirectUri: config.google.redirectUri,
    endpoints,
    authorizeUrl,
    quota: { ledger: scheduler, units: config.gmailQuota.units },
  });
  app = createApp({
    config,
    log,
    simulatedGoogle: overrides.simulatedGoogle,
    services: {
      store,
      keyRing,
      clock,
      sessions,
      signIn,
      jobs,
      taskCaller: caller,
      pushCaller: new PushTokenCaller(config.push.verificationToken),
      checkOpenAiKey: (apiKey) => checkOpenAiKey(apiKey, config.openai),
      sendOneClick: (url) => sendOneClick(url, overrides.unsubscribe),
      operatorStats: {
        stats: new SqliteStats(db),
        ledger: scheduler,
        operator: bearerTokenOperator(config.operators.token),
        taskCounts: () => queue.counts(),
      },
    },
  });
  const callTask = async (path: string, body: string) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TASK_TOKEN_HEADER]: caller.token },
      body,
    });
  const runCron = async () =>
    app.request('/cron/renew-watches', {
      method: 'POST',
      headers: { [TASK_TOKEN_HEADER]: caller.token },
    });
  const notifications = localNotifications({ config, jobs, keyRing, log, callCron: runCron });
  return {
    app,
    queue,
    store,
    start: () => {
      queue.start();
      notifications.start();
    },
    runCron,
    callTask,
    close: async () => {
      await notifications.stop();
      await queue.stop();
      db.close();
    },
  };
}
