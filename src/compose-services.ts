import { gmailMailboxFactory } from './adapters/gmail/mailbox-factory.js';
import { QuotaScheduler } from './adapters/gmail/quota-scheduler.js';
import type { GoogleEndpoints } from './adapters/google-auth/google-endpoints.js';
import { GoogleSignIn } from './adapters/google-auth/google-sign-in.js';
import { openAiClassifierFor } from './adapters/openai/classifier-factory.js';
import { checkOpenAiKey } from './adapters/openai/key-check.js';
import type { Services } from './app.js';
import type { Config } from './config.js';
import type { DeadWorkLog } from './domain/dead-work.js';
import type { StatsSource } from './domain/operator-stats.js';
import type { Clock, Ids, KeyRing, Store, TaskQueue } from './domain/ports.js';
import type { QuotaLedger } from './domain/quota-ledger.js';
import { Sessions } from './http/session.js';
import type { TaskCaller } from './http/task-routes.js';
import type { JobDeps } from './jobs/job-deps.js';
import type { Logger } from './log.js';

/** What differs between modes; everything else is built the same way around these. */
export interface ModeParts {
  readonly store: Store;
  readonly queue: TaskQueue;
  readonly keyRing: KeyRing;
  readonly taskCaller: TaskCaller;
  readonly clock: Clock;
  readonly ids: Ids;
  /** Server-to-server Google endpoints (token, certificates, Gmail). */
  readonly endpoints: GoogleEndpoints;
  /** Where the browser is sent to consent. */
  readonly authorizeUrl: string;
  /** The Pub/Sub topic Gmail watches publish to; undefined: no watch, catch-up syncs only. */
  readonly watchTopic: string | undefined;
  /** What `GET /api/stats` reads from the store, and who may read it. */
  readonly operatorStats?: {
    readonly stats: StatsSource;
    readonly operator: TaskCaller;
    readonly deadWork?: DeadWorkLog;
  };
  /** The shared Gmail budget (gcp mode); none: this process's own scheduler. */
  readonly ledger?: QuotaLedger;
  /** How quota waits and retries keep time (tests run them on a faster clock). */
  readonly timing?: { readonly clock: Clock; readonly sleep: (ms: number) => Promise<void> };
}

/**
 * The Services every mode shares (Gmail under the quota ledger, the classifier, sessions,
 * sign-in), around one mode's store, queue, key ring and task caller.
 */
export async function composeServices(
  config: Config,
  log: Logger,
  parts: ModeParts,
): Promise<Services> {
  const { store, keyRing, clock, timing } = parts;
  const sleep = timing ? { sleep: timing.sleep } : {};
  const ledger =
    parts.ledger ??
    new QuotaScheduler({
      userUnitsPerMinute: config.gmailQuota.userUnitsPerMinute,
      projectUnitsPerMinute: config.gmailQuota.projectUnitsPerMinute,
      projectUnitsPerDay: config.gmailQuota.projectUnitsPerDay,
      ...(timing ?? {}),
    });
  const jobs: JobDeps = {
    store,
    queue: parts.queue,
    clock,
    ids: parts.ids,
    log,
    mailboxFor: gmailMailboxFactory({
      clientId: config.google.clientId,
      clientSecret: config.google.clientSecret,
      endpoints: parts.endpoints,
      keyRing,
      ledger,
      units: config.gmailQuota.units,
      ...sleep,
    }),
    classifierFor: openAiClassifierFor({
      settings: config.openai,
      prices: config.openai.prices,
      keyRing,
      senders: store,
      spend: { runs: store, now: () => clock.now() },
      log,
      ...sleep,
    }),
    scanStrategy: config.scanStrategy,
    watchTopic: parts.watchTopic,
    dailyQuota: { ledger, units: config.gmailQuota.units },
  };
  return {
    store,
    keyRing,
    clock,
    jobs,
    taskCaller: parts.taskCaller,
    sessions: new Sessions({
      secret: await keyRing.macKey('session'),
      secure: config.publicUrl.startsWith('https:'),
      now: () => clock.now(),
    }),
    signIn: new GoogleSignIn({
      clientId: config.google.clientId,
      clientSecret: config.google.clientSecret,
      redirectUri: config.google.redirectUri,
      endpoints: parts.endpoints,
      authorizeUrl: parts.authorizeUrl,
      quota: { ledger, units: config.gmailQuota.units },
    }),
    checkOpenAiKey: (apiKey) => checkOpenAiKey(apiKey, config.openai),
    operatorStats: parts.operatorStats && { ...parts.operatorStats, ledger },
  };
}
