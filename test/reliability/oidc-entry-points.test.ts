import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaScheduler } from '../../src/adapters/gmail/quota-scheduler.js';
import { googleEndpoints } from '../../src/adapters/google-auth/google-endpoints.js';
import { GoogleSignIn } from '../../src/adapters/google-auth/google-sign-in.js';
import { OidcCaller } from '../../src/adapters/google-auth/oidc-caller.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_POLICY } from '../../src/domain/model.js';
import type { Task } from '../../src/domain/ports.js';
import { RulesClassifier } from '../../src/domain/rules-classifier.js';
import { emailHash } from '../../src/domain/sealing.js';
import { Sessions } from '../../src/http/session.js';
import { SigningKey } from '../../src/local/google/oauth/oauth-keys.js';
import { openDatabase } from '../../src/local/sqlite/open-database.js';
import { SqliteStore } from '../../src/local/sqlite/sqlite-store.js';
import { StaticKeyRing } from '../../src/local/static-key-ring.js';
import { randomRunIds, systemClock } from '../../src/local/system.js';
import { silentLogger } from '../../src/log.js';
import {
  type LocalCerts,
  mintOidcToken,
  serveCerts,
  unsignedToken,
} from '../helpers/oidc-tokens.js';
import { envelope } from '../helpers/ongoing-cleanup.js';
import { recordFigures } from './figures.js';

const SERVICE = 'https://clean-that-up.example.run.app';
const PUSH_AUDIENCE = `${SERVICE}/push/gmail`;
const ACCOUNTS = {
  tasks: 'tasks-invoker@demo.iam.gserviceaccount.com',
  push: 'gmail-push@demo.iam.gserviceaccount.com',
  cron: 'scheduler@demo.iam.gserviceaccount.com',
};
const OWNER = 'oidc@example.com';

/**
 * The cloud wiring of the internal endpoints (OIDC tokens from Cloud Tasks, Pub/Sub push and
 * Cloud Scheduler, each with its own account), fed forged, expired and misdirected tokens:
 * every one is refused with 401 or 403 before anything is read, queued or written.
 */
describe('OIDC on every internal endpoint of the cloud wiring', () => {
  let certs: LocalCerts;
  let store: SqliteStore;
  const queued: Task[] = [];
  let app: ReturnType<typeof createApp>;
  let tried = 0;

  beforeAll(async () => {
    certs = await serveCerts();
    store = new SqliteStore(openDatabase(':memory:'));
    const key = randomBytes(32).toString('base64');
    const keyRing = new StaticKeyRing({ version: 1, current: 'k', keys: { k: key }, macRoot: key });
    const caller = (audience: string, serviceAccountEmail: string) =>
      new OidcCaller({ audience, serviceAccountEmail, certsUrl: certs.certsUrl });
    const config = loadConfig({ PUBLIC_URL: SERVICE });
    await store.putUser({
      id: '1234',
      emailHash: await emailHash(keyRing, OWNER),
      refreshToken: 'v1.k.x.y.z',
      openAiKey: null,
      needsReconnect: false,
      policy: DEFAULT_POLICY,
      watch: null,
      cursor: { historyId: '100', updatedAt: Date.now() },
      createdAt: 0,
      updatedAt: 0,
    });
    app = createApp({
      config,
      log: silentLogger,
      services: {
        store,
        keyRing,
        clock: systemClock,
        sessions: new Sessions({ secret: randomBytes(32), secure: true, now: Date.now }),
        signIn: new GoogleSignIn({
          clientId: 'x',
          clientSecret: 'y',
          redirectUri: `${SERVICE}/auth/google/callback`,
          endpoints: googleEndpoints(),
          authorizeUrl: googleEndpoints().authorize,
          quota: { ledger: new QuotaScheduler(config.gmailQuota), units: config.gmailQuota.units },
        }),
        jobs: {
          store,
          queue: { enqueue: async (task) => void queued.push(task) },
          clock: systemClock,
          ids: randomRunIds,
          log: silentLogger,
          scanStrategy: 'by-sender',
          mailboxFor: async () => {
            throw new Error('no Gmail in this test');
          },
          classifierFor: async () => new RulesClassifier(),
          watchTopic: undefined,
        },
        taskCaller: caller(SERVICE, ACCOUNTS.tasks),
        pushCaller: caller(PUSH_AUDIENCE, ACCOUNTS.push),
        cronCaller: caller(SERVICE, ACCOUNTS.cron),
        checkOpenAiKey: async () => ({ ok: true }),
      },
    });
  });
  afterAll(async () => {
    recordFigures('forged OIDC tokens', { inputsTried: tried });
    await certs?.close();
  });

  const token = (audience: string, email: string, claims: Record<string, unknown> = {}) =>
    mintOidcToken(certs.key, { audience, email, claims });
  const now = () => Math.floor(Date.now() / 1000);

  /** Every way a token can be wrong for an endpoint that wants `audience` and `email`. */
  function forgeries(audience: string, email: string, others: readonly string[]) {
    const impostor = new SigningKey({ kid: certs.key.kid });
    return {
      none: undefined,
      'not a JWT': 'Bearer not-a-jwt',
      'Basic scheme': `Basic ${token(audience, email)}`,
      'empty bearer': 'Bearer ',
      expired: `Bearer ${token(audience, email, { iat: now() - 7200, exp: now() - 3600 })}`,
      'issued in the future': `Bearer ${token(audience, email, { iat: now() + 3600, exp: now() + 7200 })}`,
      'lives too long': `Bearer ${token(audience, email, { exp: now() + 30 * 86_400 })}`,
      'other audience': `Bearer ${token('https://evil.example', email)}`,
      'other issuer': `Bearer ${token(audience, email, { iss: 'https://evil.example' })}`,
      'email not verified': `Bearer ${token(audience, email, { email_verified: false })}`,
      'no email': `Bearer ${token(audience, email, { email: undefined })}`,
      'alg none': `Bearer ${unsignedToken({ audience, email }, certs.key.kid)}`,
      'unpublished key': `Bearer ${mintOidcToken(new SigningKey(), { audience, email })}`,
      'impostor under a published kid': `Bearer ${mintOidcToken(impostor, { audience, email })}`,
      'tampered payload': `Bearer ${tamper(token(audience, email))}`,
      ...Object.fromEntries(
        others.map((other) => [`account ${other}`, `Bearer ${token(audience, other)}`]),
      ),
    } as Record<string, string | undefined>;
  }

  const endpoints = [
    {
      path: '/tasks/plan',
      audience: SERVICE,
      email: ACCOUNTS.tasks,
      body: { runId: 'AAAAAAAAAAAAAAAAAAAAAA' },
    },
    {
      path: '/tasks/batch',
      audience: SERVICE,
      email: ACCOUNTS.tasks,
      body: { runId: 'AAAAAAAAAAAAAAAAAAAAAA', batchNo: 0 },
    },
    { path: '/tasks/sync', audience: SERVICE, email: ACCOUNTS.tasks, body: { userId: '1234' } },
    { path: '/tasks/watch', audience: SERVICE, email: ACCOUNTS.tasks, body: { userId: '1234' } },
    {
      path: '/tasks/coming-of-age',
      audience: SERVICE,
      email: ACCOUNTS.tasks,
      body: { userId: '1234' },
    },
    {
      path: '/tasks/undo',
      audience: SERVICE,
      email: ACCOUNTS.tasks,
      body: { runId: 'AAAAAAAAAAAAAAAAAAAAAA', fromBatch: 0, restored: 0 },
    },
    { path: '/cron/renew-watches', audience: SERVICE, email: ACCOUNTS.cron, body: {} },
    {
      path: '/push/gmail',
      audience: PUSH_AUDIENCE,
      email: ACCOUNTS.push,
      body: envelope(OWNER, 999_999),
    },
  ];

  it('refuses every forged, expired or misdirected token with 401 or 403 and changes nothing', async () => {
    const user = await store.getUser('1234');
    for (const { path, audience, email, body } of endpoints) {
      const others = Object.values(ACCOUNTS).filter((a) => a !== email);
      for (const [what, authorization] of Object.entries(forgeries(audience, email, others))) {
        const response = await app.request(`${SERVICE}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(authorization === undefined ? {} : { authorization }),
          },
          body: JSON.stringify(body),
        });
        tried++;
        expect({ path, what, status: response.status }).toEqual({
          path,
          what,
          status: [401, 403].includes(response.status) ? response.status : -1,
        });
      }
    }
    expect(queued).toEqual([]);
    expect(await store.getUser('1234')).toEqual(user);
    expect(await store.listRuns('1234', 10)).toEqual([]);
  });

  it('lets the right account in, and only where it belongs', async () => {
    for (const { path, audience, email, body } of endpoints) {
      // This app has no Gmail: the user tasks name a user who does not exist (done at once).
      const accepted = ['/tasks/sync', '/tasks/watch', '/tasks/coming-of-age'].includes(path)
        ? { userId: '999' }
        : body;
      const response = await app.request(`${SERVICE}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token(audience, email)}`,
        },
        body: JSON.stringify(accepted),
      });
      expect({ path, status: response.status }).toMatchObject({
        path,
        status: path === '/cron/renew-watches' ? 200 : 204,
      });
    }
    // The cron queued the connected user's daily coming-of-age pass, and the one real
    // notification the one sync it should.
    expect(queued.map((t) => t.path)).toEqual(['/tasks/coming-of-age', '/tasks/sync']);
  });
});

/** Flips the payload to another account while keeping the signature: must not verify. */
function tamper(jwt: string): string {
  const [head, payload, signature] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  claims.email = 'attacker@evil.example';
  return `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}
