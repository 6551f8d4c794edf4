import type { Firestore } from '@google-cloud/firestore';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { CloudTasksClient } from '@google-cloud/tasks';
import type { Hono } from 'hono';
import { CloudTasksQueue, type TaskCreator } from '../adapters/cloud-tasks/cloud-tasks-queue.js';
import { createFirestore } from '../adapters/firestore/firestore-client.js';
import { FirestoreDeadWork } from '../adapters/firestore/firestore-dead-work.js';
import {
  FirestoreQuotaLedger,
  type FirestoreQuotaLedgerOptions,
} from '../adapters/firestore/firestore-quota-ledger.js';
import { FirestoreStats } from '../adapters/firestore/firestore-stats.js';
import { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import { googleEndpoints } from '../adapters/google-auth/google-endpoints.js';
import { OidcCaller } from '../adapters/google-auth/oidc-caller.js';
import {
  SecretManagerKeyRing,
  type SecretVersions,
  secretVersionName,
} from '../adapters/secret-manager/secret-manager-key-ring.js';
import { createApp } from '../app.js';
import { composeServices } from '../compose-services.js';
import { type Config, ConfigError } from '../config.js';
import type { Clock, Ids } from '../domain/ports.js';
import type { AppEnv } from '../http/env.js';
import type { TaskCaller } from '../http/task-routes.js';
import { randomRunIds, systemClock } from '../local/system.js';
import type { Logger } from '../log.js';

export interface GcpService {
  readonly app: Hono<AppEnv>;
  readonly store: FirestoreStore;
  /** Who may call the internal endpoints: Cloud Tasks, Pub/Sub push, Cloud Scheduler. */
  readonly callers: {
    readonly tasks: TaskCaller;
    readonly push: TaskCaller;
    readonly cron: TaskCaller;
  };
  /** Closes the clients this composition created. */
  close(): Promise<void>;
}

export interface GcpOverrides {
  /** Clients to use instead of new ones (tests pass clients of local servers); not closed. */
  readonly firestore?: Firestore;
  readonly tasks?: TaskCreator;
  readonly secrets?: SecretVersions;
  readonly clock?: Clock;
  readonly ids?: Ids;
  readonly timing?: { readonly clock: Clock; readonly sleep: (ms: number) => Promise<void> };
  /** How long the ledger's chunks may start calls and how often refused ones ask again. */
  readonly ledger?: Pick<FirestoreQuotaLedgerOptions, 'leaseMs' | 'pollMs'>;
}

/**
 * gcp mode's composition: Firestore, Cloud Tasks, the key ring from Secret Manager, and OIDC
 * on every internal endpoint. The key ring is read before anything is served, so a missing
 * secret or a missing permission stops start-up with its name.
 */
export async function composeGcp(
  config: Config,
  log: Logger,
  overrides: GcpOverrides = {},
): Promise<GcpService> {
  const gcp = config.gcp;
  if (!gcp) throw new ConfigError('composeGcp needs MODE=gcp and its variables');
  const clock = overrides.clock ?? systemClock;
  const created: { close(): Promise<unknown> }[] = [];
  const own = <T extends { close(): Promise<unknown> }>(client: T): T => {
    created.push(client);
    return client;
  };
  const settleFirst: { close(): Promise<unknown> }[] = [];
  const close = async () => {
    await Promise.allSettled(settleFirst.map((part) => part.close()));
    await Promise.allSettled(created.map((client) => client.close()));
  };

  const secrets = overrides.secrets ?? own(new SecretManagerServiceClient());
  const keyRing = new SecretManagerKeyRing({
    client: secrets,
    version: secretVersionName(gcp.project, gcp.keyringSecret),
    clock,
  });
  try {
    await keyRing.load();
  } catch (error) {
    await close();
    throw error;
  }
  const firestore =
    overrides.firestore ??
    createFirestore({ projectId: gcp.project, databaseId: gcp.firestoreDatabase });
  if (!overrides.firestore) created.push({ close: () => firestore.terminate() });
  const store = new FirestoreStore(firestore);
  const deadWork = new FirestoreDeadWork(firestore);
  const ledger = new FirestoreQuotaLedger({
    firestore,
    userUnitsPerMinute: config.gmailQuota.userUnitsPerMinute,
    projectUnitsPerMinute: config.gmailQuota.projectUnitsPerMinute,
    projectUnitsPerDay: config.gmailQuota.projectUnitsPerDay,
    log,
    ...(overrides.timing ?? {}),
    ...(overrides.ledger ?? {}),
  });
  // Settled before the client closes, so the other instances see what this one spent.
  settleFirst.push(ledger);
  const queue = new CloudTasksQueue({
    client: overrides.tasks ?? own(new CloudTasksClient()),
    project: gcp.project,
    location: gcp.tasksLocation,
    queue: gcp.tasksQueue,
    serviceUrl: config.publicUrl,
    invokerServiceAccount: gcp.tasksInvokerServiceAccount,
    audience: gcp.tasksAudience,
    clock,
  });

  const endpoints = googleEndpoints(config.google.apiBaseUrl);
  const caller = (audience: string, serviceAccountEmail: string | readonly string[]) =>
    new OidcCaller({ audience, serviceAccountEmail, certsUrl: endpoints.pemCerts, log });
  const callers = {
    tasks: caller(gcp.tasksAudience, gcp.tasksInvokerServiceAccount),
    push: caller(gcp.pushAudience, gcp.pushServiceAccount),
    cron: caller(gcp.tasksAudience, gcp.cronServiceAccount),
  };
  const services = await composeServices(config, log, {
    store,
    queue,
    keyRing,
    taskCaller: callers.tasks,
    clock,
    ids: overrides.ids ?? randomRunIds,
    endpoints,
    authorizeUrl: endpoints.authorize,
    watchTopic: gcp.pubsubTopic,
    ledger,
    operatorStats: {
      stats: new FirestoreStats(firestore, store),
      deadWork,
      // Nobody when no operator is configured: an empty list lets no token through.
      operator: caller(gcp.tasksAudience, config.operators.emails),
    },
    ...(overrides.timing ? { timing: overrides.timing } : {}),
  });
  const app = createApp({
    config,
    log,
    services: { ...services, pushCaller: callers.push, cronCaller: callers.cron, deadWork },
  });
  return { app, store, callers, close };
}
