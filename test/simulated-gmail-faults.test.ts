import { afterEach, describe, expect, it } from 'vitest';
import { createGmailClient } from '../src/adapters/gmail/gmail-client.js';
import { createOAuthClient } from '../src/adapters/google-auth/oauth-client.js';
import { SCOPES } from '../src/local/google/gmail-call.js';
import {
  type RunningGoogle,
  startSimulatedGoogle,
  TEST_CLIENT,
} from './helpers/simulated-google.js';

const OWNER = 'quota@example.com';

interface CallFailure {
  status: number;
  reason?: string | undefined;
  retryAfter?: string | null | undefined;
  code?: string | undefined;
}

async function failure(promise: Promise<unknown>): Promise<CallFailure> {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      code?: string;
      status?: number;
      response?: {
        status: number;
        headers: Headers;
        data?: { error?: { errors?: { reason: string }[] } };
      };
    };
    return {
      status: e.response?.status ?? e.status ?? -1,
      reason: e.response?.data?.error?.errors?.[0]?.reason,
      retryAfter: e.response?.headers.get('retry-after'),
      code: e.code,
    };
  }
  throw new Error('the call succeeded');
}

function firstIds(sim: RunningGoogle, count: number): string[] {
  return [...sim.google.account(OWNER).messagesAfter(undefined)].slice(0, count).map((m) => m.id);
}

describe('simulated Gmail quota', () => {
  let sim: RunningGoogle;
  afterEach(() => sim?.close());

  it('refuses calls past the per-user budget with 429, Retry-After, and charges only what it served', async () => {
    let now = 1_800_000_000_000;
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 50 } }], {
      userUnitsPerMinute: 100,
      now: () => now,
    });
    const gmail = sim.gmailFor(OWNER);
    const ids = firstIds(sim, 6);
    for (const id of ids.slice(0, 5))
      await gmail.users.messages.get({ userId: 'me', id, format: 'minimal' });
    const refused = await failure(
      gmail.users.messages.get({ userId: 'me', id: ids[5]!, format: 'minimal' }),
    );
    expect(refused).toMatchObject({ status: 429, reason: 'rateLimitExceeded', retryAfter: '60' });

    now += 30_000;
    expect((await failure(gmail.users.getProfile({ userId: 'me' }))).status).toBe(429);
    now += 30_001;
    await gmail.users.messages.get({ userId: 'me', id: ids[5]!, format: 'minimal' });

    const stats = sim.google.stats.snapshot(OWNER);
    expect(stats.methods['users.messages.get']).toMatchObject({
      calls: 6,
      units: 120,
      rateLimited: 1,
    });
    expect(stats.rateLimited).toBe(2);
    expect(sim.google.quota.peakUserUnitsPerMinute(OWNER)).toBe(100);
  });

  it('uses the 403 userRateLimitExceeded shape when configured to', async () => {
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 10 } }], {
      userUnitsPerMinute: 20,
      rateLimitStatus: 403,
    });
    const gmail = sim.gmailFor(OWNER);
    const [a, b] = firstIds(sim, 2);
    await gmail.users.messages.get({ userId: 'me', id: a!, format: 'minimal' });
    const refused = await failure(
      gmail.users.messages.get({ userId: 'me', id: b!, format: 'minimal' }),
    );
    expect(refused).toMatchObject({ status: 403, reason: 'userRateLimitExceeded' });
  });

  it('charges the legacy table when asked', async () => {
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 10 } }], {
      quotaTable: 'legacy',
    });
    const [id] = firstIds(sim, 1);
    await sim.gmailFor(OWNER).users.messages.get({ userId: 'me', id: id!, format: 'minimal' });
    expect(sim.google.stats.snapshot(OWNER).totalUnits).toBe(5);
  });

  it('refuses too many concurrent requests for one user', async () => {
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 20 } }], {
      maxConcurrentPerUser: 2,
    });
    sim.google.faults.inject({ kind: 'latency', ms: 50 });
    const gmail = sim.gmailFor(OWNER);
    const results = await Promise.allSettled(
      firstIds(sim, 6).map((id) =>
        gmail.users.messages.get({ userId: 'me', id, format: 'minimal' }),
      ),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(results.length - refused.length).toBeGreaterThanOrEqual(2);
  });
});

describe('simulated Gmail faults', () => {
  let sim: RunningGoogle;
  afterEach(() => sim?.close());

  async function start() {
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 100, seed: 5 } }], {
      seed: 42,
    });
    return sim.gmailFor(OWNER);
  }

  it('fails the next calls with 5xx, then recovers', async () => {
    const gmail = await start();
    sim.google.faults.inject({
      kind: 'error',
      status: 503,
      count: 2,
      methods: ['users.getProfile'],
    });
    expect((await failure(gmail.users.getProfile({ userId: 'me' }))).status).toBe(503);
    expect((await failure(gmail.users.getProfile({ userId: 'me' }))).reason).toBe('backendError');
    await gmail.users.getProfile({ userId: 'me' });
    expect(sim.google.stats.snapshot(OWNER).faulted).toBe(2);
  });

  it('answers a burst of 429s with Retry-After', async () => {
    const gmail = await start();
    sim.google.faults.inject({ kind: 'rateLimit', count: 3, retryAfterSeconds: 2 });
    for (let i = 0; i < 3; i++) {
      expect(await failure(gmail.users.labels.list({ userId: 'me' }))).toMatchObject({
        status: 429,
        retryAfter: '2',
      });
    }
    await gmail.users.labels.list({ userId: 'me' });
  });

  it('adds latency', async () => {
    const gmail = await start();
    sim.google.faults.inject({ kind: 'latency', ms: 120, count: 1 });
    const started = performance.now();
    await gmail.users.getProfile({ userId: 'me' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('resets the connection without an answer', async () => {
    const gmail = await start();
    sim.google.faults.inject({ kind: 'reset', count: 1 });
    const reset = await failure(gmail.users.getProfile({ userId: 'me' }));
    expect(reset.status).toBe(-1);
    await gmail.users.getProfile({ userId: 'me' });
  });

  it('makes listed messages vanish before they can be read', async () => {
    const gmail = await start();
    sim.google.faults.inject({ kind: 'vanish', count: 3 });
    const { data } = await gmail.users.messages.list({ userId: 'me', maxResults: 10 });
    const results = await Promise.allSettled(
      data.messages!.map((m) =>
        gmail.users.messages.get({ userId: 'me', id: m.id!, format: 'minimal' }),
      ),
    );
    const gone = results.filter((r) => r.status === 'rejected');
    expect(gone).toHaveLength(3);
    for (const r of gone) expect((r as PromiseRejectedResult).reason.status).toBe(404);
  });

  it('refuses a search holding an operator with 400 invalidArgument, and nothing else', async () => {
    const gmail = await start();
    sim.google.faults.inject({ kind: 'refuseQuery', operator: 'in:snoozed' });
    const refused = await failure(
      gmail.users.messages.list({ userId: 'me', q: 'IN:snoozed category:primary' }),
    );
    expect(refused).toMatchObject({ status: 400, reason: 'invalidArgument' });
    const other = await gmail.users.messages.list({ userId: 'me', q: 'category:primary' });
    expect(other.status).toBe(200);
    const labelled = await gmail.users.messages.list({ userId: 'me', labelIds: ['INBOX'] });
    expect(labelled.status).toBe(200);
  });

  it('turns a revoked grant into 401 on Gmail and invalid_grant on refresh', async () => {
    sim = await startSimulatedGoogle([{ email: OWNER, mailbox: { size: 10 } }]);
    const { google } = sim;
    // Sign in for real to get a refresh token, then let the client refresh on its own.
    const auth = createOAuthClient({
      ...TEST_CLIENT,
      redirectUri: 'http://127.0.0.1/cb',
      endpoints: sim.endpoints,
    });
    const verifier = await auth.generateCodeVerifierAsync();
    const url = auth.generateAuthUrl({
      access_type: 'offline',
      scope: ['openid', SCOPES.modify],
      code_challenge: verifier.codeChallenge!,
      code_challenge_method: 'S256' as never,
      state: 'xyz',
    });
    const redirect = await fetch(url, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const { tokens } = await auth.getToken({ code, codeVerifier: verifier.codeVerifier });
    expect(tokens.refresh_token).toBeTruthy();

    const refreshing = createOAuthClient({ ...TEST_CLIENT, endpoints: sim.endpoints });
    refreshing.setCredentials({ refresh_token: tokens.refresh_token! });
    const gmail = createGmailClient(refreshing, sim.endpoints);
    expect((await gmail.users.getProfile({ userId: 'me' })).data.emailAddress).toBe(OWNER);

    google.oauth.revokeAccount(OWNER);
    const revoked = createOAuthClient({ ...TEST_CLIENT, endpoints: sim.endpoints });
    revoked.setCredentials({ refresh_token: tokens.refresh_token! });
    const refused = await failure(
      createGmailClient(revoked, sim.endpoints).users.getProfile({ userId: 'me' }),
    );
    expect(refused.status).toBe(400);
    const stale = await fetch(`${sim.server.url}/gmail/v1/users/me/profile`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(stale.status).toBe(401);
  });
});
