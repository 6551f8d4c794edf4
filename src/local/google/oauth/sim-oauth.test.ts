import {
  ClientAuthentication,
  CodeChallengeMethod,
  type GenerateAuthUrlOpts,
  OAuth2Client,
  type OAuth2ClientOptions,
} from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Listening, listen } from '../../../../test/helpers/listen.js';
import {
  ALICE,
  BOB,
  CLIENT,
  createSim,
  GMAIL_MODIFY,
  REDIRECT_URI,
  testSigningKey,
} from './oauth-fixtures.js';
import { SigningKey } from './oauth-keys.js';
import type { SimOAuth } from './sim-oauth.js';

let sim: SimOAuth;
let clock: { now: number };
let server: Listening;

beforeEach(async () => {
  ({ sim, clock } = createSim());
  server = await listen(sim.routes.fetch);
});

afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

function googleClient(options: OAuth2ClientOptions = {}): OAuth2Client {
  const base = server.url;
  return new OAuth2Client({
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
    endpoints: {
      oauth2AuthBaseUrl: `${base}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${base}/token`,
      oauth2RevokeUrl: `${base}/revoke`,
      oauth2FederatedSignonPemCertsUrl: `${base}/oauth2/v1/certs`,
      oauth2FederatedSignonJwkCertsUrl: `${base}/oauth2/v3/certs`,
      tokenInfoUrl: `${base}/tokeninfo`,
    },
    ...options,
  });
}

/** The browser leg: follow the authorization URL to the redirect, as the app's callback sees it. */
async function consent(client: OAuth2Client, options: GenerateAuthUrlOpts = {}) {
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const url = client.generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    scope: ['openid', GMAIL_MODIFY],
    state: 'csrf-state',
    code_challenge: codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
    ...options,
  });
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') ?? '');
  return { location, code: location.searchParams.get('code') ?? '', codeVerifier };
}

async function signIn(client: OAuth2Client, options: GenerateAuthUrlOpts = {}) {
  const { code, codeVerifier } = await consent(client, options);
  const { tokens } = await client.getToken({ code, codeVerifier });
  client.setCredentials(tokens);
  return tokens;
}

/** What the app does with a stored refresh token: a client holding only that, asked for a token. */
function refreshWith(refreshToken: string | null | undefined) {
  const client = googleClient();
  client.setCredentials({ refresh_token: refreshToken ?? null });
  return client.getAccessToken();
}

describe('SimOAuth with google-auth-library', () => {
  it('signs in with PKCE and returns an ID token that verifies to the account sub', async () => {
    const client = googleClient();
    const { location, code, codeVerifier } = await consent(client);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      state: 'csrf-state',
      scope: `openid ${GMAIL_MODIFY}`,
      authuser: '0',
      prompt: 'consent',
    });
    expect(code).toMatch(/^4\/0A/);

    const { tokens } = await client.getToken({ code, codeVerifier });
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\//);
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: `openid ${GMAIL_MODIFY}` });

    const ticket = await client.verifyIdToken({
      idToken: tokens.id_token ?? '',
      audience: CLIENT.clientId,
    });
    const payload = ticket.getPayload();
    expect(payload).toMatchObject({ sub: ALICE.sub, iss: 'https://accounts.google.com' });
    expect(payload?.aud).toBe(CLIENT.clientId);
    expect(payload?.email).toBeUndefined();
    expect(sim.grantFor(tokens.access_token ?? '')).toEqual({
      email: ALICE.email,
      scopes: ['openid', GMAIL_MODIFY],
    });
  });

  it('fetches PEM certificates from /oauth2/v1/certs, as it does in Node', async () => {
    const { certs, format } = await googleClient().getFederatedSignonCertsAsync();
    expect(format).toBe('PEM');
    expect(Object.keys(certs)).toEqual([testSigningKey().kid]);
    expect(certs[testSigningKey().kid]).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it('signs in the account named by login_hint', async () => {
    const client = googleClient();
    const tokens = await signIn(client, { login_hint: BOB.email });
    const ticket = await client.verifyIdToken({ idToken: tokens.id_token ?? '' });
    expect(ticket.getUserId()).toBe(BOB.sub);
    expect(sim.grantFor(tokens.access_token ?? '')?.email).toBe(BOB.email);
  });

  it('rejects an ID token meant for another audience', async () => {
    const client = googleClient();
    const tokens = await signIn(client);
    await expect(
      client.verifyIdToken({ idToken: tokens.id_token ?? '', audience: 'someone-else' }),
    ).rejects.toThrow(/Wrong recipient/);
  });

  it('rejects an ID token signed by another key under the published key id', async () => {
    const client = googleClient();
    const tokens = await signIn(client);
    const claims = JSON.parse(
      Buffer.from(tokens.id_token?.split('.')[1] ?? '', 'base64url').toString(),
    );
    const forger = new SigningKey({ kid: testSigningKey().kid });
    await expect(
      client.verifyIdToken({ idToken: forger.signJwt(claims), audience: CLIENT.clientId }),
    ).rejects.toThrow(/Invalid token signature/);
  });

  it('rejects an ID token that has expired', async () => {
    clock.now = Date.now() - 2 * 60 * 60 * 1000;
    const client = googleClient();
    const tokens = await signIn(client);
    await expect(
      client.verifyIdToken({ idToken: tokens.id_token ?? '', audience: CLIENT.clientId }),
    ).rejects.toThrow(/Token used too late/);
  });

  it('refuses a code that was already exchanged', async () => {
    const client = googleClient();
    const { code, codeVerifier } = await consent(client);
    await client.getToken({ code, codeVerifier });
    await expect(client.getToken({ code, codeVerifier })).rejects.toMatchObject({
      status: 400,
      response: { data: { error: 'invalid_grant', error_description: 'Bad Request' } },
    });
  });

  it('refuses a code exchanged with the wrong verifier', async () => {
    const client = googleClient();
    const { code } = await consent(client);
    const { codeVerifier: wrong } = await client.generateCodeVerifierAsync();
    await expect(client.getToken({ code, codeVerifier: wrong })).rejects.toMatchObject({
      response: { status: 400, data: { error: 'invalid_grant', error_description: 'Bad Request' } },
    });
  });

  it('authenticates the client with HTTP Basic as well as in the body', async () => {
    const client = googleClient({ clientAuthentication: ClientAuthentication.ClientSecretBasic });
    const tokens = await signIn(client);
    expect(sim.grantFor(tokens.access_token ?? '')?.email).toBe(ALICE.email);
  });

  it('answers invalid_client for a wrong client secret', async () => {
    const { code, codeVerifier } = await consent(googleClient());
    const impostor = googleClient({ clientSecret: 'not-the-secret' });
    await expect(impostor.getToken({ code, codeVerifier })).rejects.toMatchObject({
      response: {
        status: 401,
        data: { error: 'invalid_client', error_description: 'Unauthorized' },
      },
    });
  });

  it('refreshes through getAccessToken once the access token has expired', async () => {
    const client = googleClient();
    const first = await signIn(client);
    vi.useFakeTimers({ toFake: ['Date'] });
    clock.now += 3600 * 1000;
    vi.setSystemTime(clock.now);
    expect(sim.grantFor(first.access_token ?? '')).toBeUndefined();

    const { token } = await client.getAccessToken();
    expect(token).toMatch(/^ya29\./);
    expect(token).not.toBe(first.access_token);
    expect(sim.grantFor(token ?? '')).toEqual({
      email: ALICE.email,
      scopes: ['openid', GMAIL_MODIFY],
    });
    expect(client.credentials.refresh_token).toBe(first.refresh_token);
    const ticket = await client.verifyIdToken({
      idToken: client.credentials.id_token ?? '',
      audience: CLIENT.clientId,
    });
    expect(ticket.getUserId()).toBe(ALICE.sub);
  });

  it('ends the whole grant when the access token is revoked', async () => {
    const client = googleClient();
    const tokens = await signIn(client);
    await client.revokeCredentials();
    expect(sim.grantFor(tokens.access_token ?? '')).toBeUndefined();
    await expect(refreshWith(tokens.refresh_token)).rejects.toMatchObject({
      response: {
        status: 400,
        data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
      },
    });
  });

  it('ends the access tokens minted from a revoked refresh token', async () => {
    const client = googleClient();
    const tokens = await signIn(client);
    const revoked = await client.revokeToken(tokens.refresh_token ?? '');
    expect(revoked.status).toBe(200);
    expect(sim.grantFor(tokens.access_token ?? '')).toBeUndefined();
    await expect(client.revokeToken(tokens.refresh_token ?? '')).rejects.toMatchObject({
      response: {
        status: 400,
        data: { error: 'invalid_token', error_description: 'Token expired or revoked' },
      },
    });
  });

  it('revokes every token of an account with revokeAccount', async () => {
    const alice = await signIn(googleClient());
    const bob = await signIn(googleClient(), { login_hint: BOB.email });
    sim.revokeAccount(ALICE.email);
    expect(sim.grantFor(alice.access_token ?? '')).toBeUndefined();
    expect(sim.grantFor(bob.access_token ?? '')?.email).toBe(BOB.email);
    await expect(refreshWith(alice.refresh_token)).rejects.toMatchObject({
      response: { data: { error: 'invalid_grant' } },
    });
  });

  it('describes an access token through tokeninfo', async () => {
    const client = googleClient();
    const tokens = await signIn(client);
    const info = await client.getTokenInfo(tokens.access_token ?? '');
    expect(info).toMatchObject({
      aud: CLIENT.clientId,
      sub: ALICE.sub,
      scopes: ['openid', GMAIL_MODIFY],
    });
    expect(info.email).toBeUndefined();
  });

  it('redirects with access_denied when the user refuses consent', async () => {
    sim.nextConsent = 'deny';
    const { location } = await consent(googleClient());
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: 'access_denied',
      state: 'csrf-state',
    });
    const { code } = await consent(googleClient());
    expect(code).toMatch(/^4\//);
  });
});
