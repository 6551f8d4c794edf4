import type { Firestore } from '@google-cloud/firestore';
import type { Run, User } from '../../src/domain/model.js';
import type { Clock } from '../../src/domain/ports.js';
import { makeIncomingMessage } from '../../src/local/google/mailbox-generator.js';
import type { Random } from '../../src/local/google/random.js';
import type { SimMessage, SimSender } from '../../src/local/google/sim-types.js';
import {
  GCP_PROJECT,
  PUSH_ACCOUNT,
  type StartedGcpService,
  startGcpService,
  TASKS_INVOKER,
} from './gcp-service.js';
import { signIn } from './local-service.js';
import { mintOidcToken } from './oidc-tokens.js';
import { envelope, waitFor } from './ongoing-cleanup.js';
import type { RunningGoogle } from './simulated-google.js';

/**
 * Ongoing cleanup in MODE=gcp, driven as Google drives it: Gmail's notifications come through
 * Pub/Sub push with the push account's OIDC token, the daily cron from Cloud Scheduler with
 * the scheduler's, and every task through the Cloud Tasks fake.
 */

export const GCP_TOPIC = `projects/${GCP_PROJECT}/topics/gmail`;
/** Cloud Scheduler's own account, as the deployment gives it (CRON_SERVICE_ACCOUNT). */
export const SCHEDULER_ACCOUNT = `scheduler@${GCP_PROJECT}.iam.gserviceaccount.com`;

export interface GcpScannedUser {
  readonly gcp: StartedGcpService;
  readonly user: User;
  readonly scan: Run;
}

export interface GcpScanOptions {
  /** An OpenAI key to give (with OPENAI_BASE_URL in `env`); the rules only when absent. */
  readonly apiKey?: string;
  readonly minAgeDays?: number;
  readonly clock?: Clock;
  readonly env?: Record<string, string>;
}

/**
 * The gcp service over the Firestore emulator, the simulated Google's default account signed
 * in through the real OAuth redirects, its full scan DONE and its cursor and watch in place.
 */
export async function gcpScannedService(
  google: RunningGoogle,
  firestore: Firestore,
  owner: string,
  { apiKey, minAgeDays = 0, clock, env = {} }: GcpScanOptions = {},
): Promise<GcpScannedUser> {
  // users.watch needs a topic Gmail may publish to; the tests push notifications themselves.
  google.google.notifier.setTopic(GCP_TOPIC, { kind: 'function', deliver: () => {} });
  const gcp = await startGcpService(
    google,
    firestore,
    {
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      PUBSUB_TOPIC: GCP_TOPIC,
      CRON_SERVICE_ACCOUNT: SCHEDULER_ACCOUNT,
      ...env,
    },
    clock ? { clock } : {},
  );
  const { client, service } = gcp;
  await signIn(client);
  await client.post('/app/openai-key', apiKey ? { apiKey } : { rulesOnly: '1' });
  const userId = google.google.account(owner).sub;
  const user = await service.store.getUser(userId);
  if (!user) throw new Error('sign-in created no user');
  await service.store.updateUser(userId, { policy: { ...user.policy, minAgeDays } });
  const start = await client.post('/app/runs');
  const runId = start.headers.get('location')!.replace('/runs/', '');
  const scan = await waitFor(
    async () => {
      const run = await service.store.getRun(runId);
      return run?.status === 'DONE' ? run : undefined;
    },
    'the full scan',
    120_000,
  );
  const watched = await waitFor(async () => {
    const current = await service.store.getUser(userId);
    return current?.cursor && current.watch ? current : undefined;
  }, 'the cursor and the watch');
  await gcp.tasks.idle(60_000);
  return { gcp, user: watched, scan };
}

/** Posts a Gmail notification as the Pub/Sub push subscription does, OIDC token and all. */
export async function pushNotification(
  google: RunningGoogle,
  gcp: StartedGcpService,
  owner: string,
  messageId: string,
  historyId: number | string = google.google.account(owner).historyId,
): Promise<number> {
  const token = mintOidcToken(google.google.oauth.signingKey, {
    audience: `${gcp.url}/push/gmail`,
    email: PUSH_ACCOUNT,
  });
  const response = await fetch(`${gcp.url}/push/gmail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(envelope(owner, historyId, messageId)),
  });
  await response.body?.cancel();
  return response.status;
}

/** Delivers a task as Cloud Tasks does, with the invoker's OIDC token; returns the status. */
export async function taskCall(
  google: RunningGoogle,
  gcp: StartedGcpService,
  path: string,
  payload: unknown,
): Promise<number> {
  const token = mintOidcToken(google.google.oauth.signingKey, {
    audience: gcp.url,
    email: TASKS_INVOKER,
  });
  const response = await fetch(`${gcp.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(payload),
  });
  await response.body?.cancel();
  return response.status;
}

/**
 * Calls the daily cron as Cloud Scheduler does: its account's OIDC token for the service's URL
 * (terraform/scheduler.tf), or another account's to see it refused.
 */
export async function runCron(
  google: RunningGoogle,
  gcp: StartedGcpService,
  email = SCHEDULER_ACCOUNT,
): Promise<Response> {
  const token = mintOidcToken(google.google.oauth.signingKey, { audience: gcp.url, email });
  return fetch(`${gcp.url}/cron/renew-watches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
}

/**
 * The sender of a message the full scan trashed as promotions, whose sender it decided
 * disposable (a `trash` sender decision, under either classifier's key prefix).
 */
export async function disposableSender(
  google: RunningGoogle,
  gcp: StartedGcpService,
  owner: string,
  userId: string,
): Promise<SimSender> {
  const decided = await gcp.service.store.listSenderDecisions(userId, 5_000);
  const disposable = new Set(
    decided
      .filter((d) => d.action === 'trash' && d.senderKey.endsWith('|promotions'))
      .map((d) => d.senderKey.replace(/^rules:/, '').replace(/\|promotions$/, '')),
  );
  const known = [...google.google.account(owner).messagesAfter(undefined)].find(
    (m) =>
      disposable.has(m.from.address.toLowerCase()) &&
      m.labelIds.includes('CATEGORY_PROMOTIONS') &&
      m.labelIds.includes('TRASH'),
  );
  if (!known) throw new Error('the full scan decided no promotions sender disposable');
  return known.from;
}

/** New promotions from `from`, dated a minute ago. */
export function promotionFrom(rng: Random, owner: string, from: SimSender): SimMessage {
  return {
    ...makeIncomingMessage(rng, owner, Date.now() - 60_000, 'bulk', { from }),
    labelIds: ['CATEGORY_PROMOTIONS', 'INBOX', 'UNREAD'],
  };
}
