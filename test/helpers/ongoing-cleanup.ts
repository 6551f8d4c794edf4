import type { Run, User } from '../../src/domain/model.js';
import { makeIncomingMessage } from '../../src/local/google/mailbox-generator.js';
import type { Random } from '../../src/local/google/random.js';
import type { SimMessage } from '../../src/local/google/sim-types.js';
import {
  type ServiceOptions,
  type StartedService,
  signIn,
  startLocalService,
} from './local-service.js';
import type { RunningGoogle } from './simulated-google.js';

/** Helpers for tests of ongoing cleanup: a user whose full scan is done and who is watched. */

export const PUSH_TOKEN = 'push-verification-token-for-tests';

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface ScannedUser {
  readonly started: StartedService;
  readonly user: User;
  readonly scan: Run;
}

/**
 * The local service against a simulated Google, the default account signed in (rules only,
 * bulk mail trashed at any age unless `minAgeDays` says otherwise), its full scan DONE and its
 * watch and cursor in place.
 */
export async function scannedService(
  google: RunningGoogle,
  owner: string,
  env: Record<string, string>,
  { minAgeDays = 0, ...options }: Omit<ServiceOptions, 'env'> & { minAgeDays?: number } = {},
): Promise<ScannedUser> {
  const started = await startLocalService(google, {
    ...options,
    env: {
      GMAIL_USER_UNITS_PER_MINUTE: '1000000',
      PUSH_VERIFICATION_TOKEN: PUSH_TOKEN,
      ...env,
    },
  });
  const { client, service } = started;
  await signIn(client);
  await client.post('/app/openai-key', { rulesOnly: '1' });
  // The user id is Google's `sub`; the owner must be the simulated Google's first account.
  const userId = google.google.account(owner).sub;
  const user = await service.store.getUser(userId);
  await service.store.updateUser(userId, { policy: { ...user!.policy, minAgeDays } });
  const start = await client.post('/app/runs');
  const runId = start.headers.get('location')!.replace('/runs/', '');
  const scan = await waitFor(async () => {
    const run = await service.store.getRun(runId);
    return run?.status === 'DONE' ? run : undefined;
  }, 'the full scan');
  const watched = await waitFor(async () => {
    const current = await service.store.getUser(userId);
    const ready = current?.cursor && (env.PUBSUB_TOPIC === undefined || current.watch);
    return ready ? current : undefined;
  }, 'the cursor and the watch');
  return { started, user: watched, scan };
}

/**
 * A promotion with an unsubscribe link: the rules (at minAgeDays 0) trash it. Dated a minute
 * ago, as the rules' threshold is in whole seconds.
 */
export function disposable(rng: Random, owner: string): SimMessage {
  const message = makeIncomingMessage(rng, owner, Date.now() - 60_000, 'bulk');
  return {
    ...message,
    from: { ...message.from, bulk: true },
    labelIds: ['CATEGORY_PROMOTIONS', 'INBOX', 'UNREAD'],
  };
}

/** Mail from a person: kept. */
export function personal(rng: Random, owner: string): SimMessage {
  const message = makeIncomingMessage(rng, owner, Date.now(), 'personal');
  return { ...message, labelIds: ['CATEGORY_PERSONAL', 'INBOX', 'UNREAD'] };
}

/** A Pub/Sub push envelope carrying a Gmail notification. */
export function envelope(emailAddress: string, historyId: number | string, messageId = '1') {
  const data = Buffer.from(JSON.stringify({ emailAddress, historyId })).toString('base64');
  return {
    message: { data, messageId, publishTime: new Date().toISOString() },
    subscription: 'projects/demo-clean-that-up/subscriptions/gmail-push',
  };
}

export function inTrash(google: RunningGoogle, owner: string, ids: readonly string[]): boolean {
  const account = google.google.account(owner);
  return ids.every((id) => account.message(id)?.labelIds.includes('TRASH'));
}
