/** Accounts, clients and helpers shared by this folder's tests. */
import { SigningKey } from './oauth-keys.js';
import {
  type SimAccountRef,
  type SimDirectory,
  SimOAuth,
  type SimOAuthClient,
  type SimOAuthOptions,
} from './sim-oauth.js';

export const ALICE: SimAccountRef = { email: 'alice@example.com', sub: '104857392017465839201' };
export const BOB: SimAccountRef = { email: 'bob@example.com', sub: '113344556677889900112' };

export const CLIENT: SimOAuthClient = {
  clientId: '1234567890-sim.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-simulated-secret',
};
export const OTHER_CLIENT: SimOAuthClient = {
  clientId: '9876543210-other.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-other-secret',
  redirectUris: ['https://other.example/callback'],
};

export const REDIRECT_URI = 'http://127.0.0.1:8080/auth/google/callback';
export const GMAIL_MODIFY = 'https://www.googleapis.com/auth/gmail.modify';

export const directory: SimDirectory = {
  find: (email) => [ALICE, BOB].find((account) => account.email === email.toLowerCase()),
  defaultAccount: () => ALICE,
};

let sharedKey: SigningKey | undefined;

/** One RSA key for every simulator in a test file: generating one each time is slow. */
export function testSigningKey(): SigningKey {
  sharedKey ??= new SigningKey();
  return sharedKey;
}

/** A simulator on a clock the test moves by hand (`clock.now`, epoch ms). */
export function createSim(options: Partial<SimOAuthOptions> = {}) {
  const clock = { now: Date.now() };
  const sim = new SimOAuth(
    {
      clients: [CLIENT, OTHER_CLIENT],
      now: () => clock.now,
      signingKey: testSigningKey(),
      ...options,
    },
    directory,
  );
  return { sim, clock };
}

type Params = Record<string, string | undefined>;

function definedParams(params: Params): URLSearchParams {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return new URLSearchParams(entries);
}

/** An authorization URL for CLIENT asking for offline `openid gmail.modify`; undefined drops. */
export function authorizeUrl(params: Params = {}): string {
  const query = definedParams({
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: `openid ${GMAIL_MODIFY}`,
    access_type: 'offline',
    state: 'state-1',
    ...params,
  });
  return `http://sim.test/o/oauth2/v2/auth?${query}`;
}

export function postForm(
  sim: SimOAuth,
  path: string,
  params: Params,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    sim.routes.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: definedParams(params),
    }),
  );
}

/** Exchanges a code the way CLIENT's callback does; `params` override the form fields. */
export function exchangeCode(sim: SimOAuth, code: string | undefined, params: Params = {}) {
  return postForm(sim, '/token', {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: CLIENT.clientId,
    client_secret: CLIENT.clientSecret,
    ...params,
  });
}

/** The JSON a token-endpoint answer carries. */
export async function tokenBody(response: Response): Promise<Record<string, string | number>> {
  return (await response.json()) as Record<string, string | number>;
}

/** The claims of a JWT, unverified. */
export function jwtClaims(jwt: unknown): Record<string, unknown> {
  const payload = String(jwt).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
