import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  authorizeUrl,
  CLIENT,
  createSim,
  exchangeCode,
  GMAIL_MODIFY,
  jwtClaims,
  OTHER_CLIENT,
  tokenBody,
} from './oauth-fixtures.js';
import type { SimOAuth } from './sim-oauth.js';

const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';

async function authorizePage(sim: SimOAuth, url: string) {
  const response = await sim.routes.request(url);
  return {
    status: response.status,
    location: response.headers.get('location'),
    html: await response.text(),
  };
}

async function signInTokens(sim: SimOAuth, params: Record<string, string | undefined> = {}) {
  const { code } = sim.signIn(authorizeUrl(params));
  return tokenBody(await exchangeCode(sim, code));
}

describe('GET /o/oauth2/v2/auth', () => {
  it('redirects with state, iss, code, scope, authuser and prompt, keeping the redirect query', async () => {
    const { sim } = createSim();
    const url = authorizeUrl({ redirect_uri: 'http://127.0.0.1:8080/cb?from=test' });
    const { status, location } = await authorizePage(sim, url);
    expect(status).toBe(302);
    const target = new URL(location ?? '');
    expect([...target.searchParams.keys()]).toEqual([
      'from',
      'state',
      'iss',
      'code',
      'scope',
      'authuser',
      'prompt',
    ]);
    expect(target.searchParams.get('iss')).toBe('https://accounts.google.com');
    expect(target.searchParams.get('prompt')).toBe('consent');
  });

  it.each([
    [
      { client_id: undefined },
      400,
      'Error 400: invalid_request',
      'Missing required parameter: client_id',
    ],
    [{ client_id: 'nobody' }, 401, 'Error 401: invalid_client', 'The OAuth client was not found.'],
    [{ redirect_uri: undefined }, 400, 'Error 400: invalid_request', 'redirect_uri'],
    [{ redirect_uri: 'not a url' }, 400, 'Error 400: invalid_request', 'redirect_uri'],
    [{ response_type: undefined }, 400, 'Error 400: invalid_request', 'response_type'],
    [{ scope: undefined }, 400, 'Error 400: invalid_request', 'Missing required parameter: scope'],
    [{ scope: 'openid bogus' }, 400, 'Error 400: invalid_scope', '{invalid=[bogus]}'],
    [
      { code_challenge_method: 'S512', code_challenge: 'x'.repeat(43) },
      400,
      'invalid_request',
      'S512',
    ],
    [{ code_challenge: 'too-short' }, 400, 'Error 400: invalid_request', 'code_challenge'],
    [{ access_type: 'forever' }, 400, 'Error 400: invalid_request', 'access_type'],
    [{ prompt: 'none consent' }, 400, 'Error 400: invalid_request', 'prompt'],
    [{ login_hint: 'stranger@example.com' }, 400, 'Error 400: invalid_request', "Couldn't find"],
  ])('shows an error page and does not redirect for %o', async (params, status, title, detail) => {
    const { sim } = createSim();
    const page = await authorizePage(sim, authorizeUrl(params));
    expect(page.status).toBe(status);
    expect(page.location).toBeNull();
    expect(page.html).toContain(title);
    expect(page.html).toContain(detail.replace(/'/g, '&#39;'));
  });

  it('refuses a redirect URI the client did not register', async () => {
    const { sim } = createSim();
    const url = authorizeUrl({
      client_id: OTHER_CLIENT.clientId,
      redirect_uri: 'https://evil.example/',
    });
    const page = await authorizePage(sim, url);
    expect(page.status).toBe(400);
    expect(page.html).toContain('Error 400: redirect_uri_mismatch');
  });

  it('redirects with unsupported_response_type for anything but code', async () => {
    const { sim } = createSim();
    const { location } = sim.signIn(authorizeUrl({ response_type: 'token' }));
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: 'unsupported_response_type',
      state: 'state-1',
    });
  });

  it('denies only the next consent screen', async () => {
    const { sim } = createSim();
    sim.nextConsent = 'deny';
    expect(sim.signIn(authorizeUrl()).error).toBe('access_denied');
    expect(sim.signIn(authorizeUrl()).code).toMatch(/^4\/0A/);
  });

  it('answers prompt=none with consent_required before the user has consented', async () => {
    const { sim } = createSim();
    expect(sim.signIn(authorizeUrl({ prompt: 'none' })).error).toBe('consent_required');
    sim.signIn(authorizeUrl());
    expect(sim.signIn(authorizeUrl({ prompt: 'none' })).code).toBeDefined();
  });
});

describe('consent and refresh tokens', () => {
  it('issues a refresh token only when offline access is granted on a consent screen', async () => {
    const { sim } = createSim();
    expect(await signInTokens(sim)).toHaveProperty('refresh_token');
    const again = sim.signIn(authorizeUrl());
    expect(again.location.searchParams.get('prompt')).toBe('none');
    expect(await tokenBody(await exchangeCode(sim, again.code))).not.toHaveProperty(
      'refresh_token',
    );
    expect(await signInTokens(sim, { prompt: 'consent' })).toHaveProperty('refresh_token');
    expect(
      await signInTokens(sim, { access_type: undefined, prompt: 'consent' }),
    ).not.toHaveProperty('refresh_token');
  });

  it('asks for consent again once the grant is revoked', async () => {
    const { sim } = createSim();
    await signInTokens(sim);
    sim.revokeAccount(ALICE.email);
    expect(await signInTokens(sim)).toHaveProperty('refresh_token');
  });

  it('adds the scopes granted before when include_granted_scopes is true', async () => {
    const { sim } = createSim();
    await signInTokens(sim, { scope: 'openid' });
    const narrow = sim.signIn(authorizeUrl({ scope: GMAIL_MODIFY }));
    expect(narrow.scope).toBe(GMAIL_MODIFY);
    const wide = sim.signIn(authorizeUrl({ scope: GMAIL_MODIFY, include_granted_scopes: 'true' }));
    expect(wide.scope).toBe(`${GMAIL_MODIFY} openid`);
  });
});

describe('ID tokens', () => {
  it('carry no email unless the email scope was asked for', async () => {
    const { sim, clock } = createSim();
    const tokens = await signInTokens(sim, { nonce: 'n-0S6' });
    const claims = jwtClaims(tokens.id_token);
    const iat = Math.floor(clock.now / 1000);
    const atHash = createHash('sha256').update(String(tokens.access_token)).digest();
    expect(claims).toEqual({
      iss: 'https://accounts.google.com',
      azp: CLIENT.clientId,
      aud: CLIENT.clientId,
      sub: ALICE.sub,
      at_hash: atHash.subarray(0, 16).toString('base64url'),
      nonce: 'n-0S6',
      iat,
      exp: iat + 3600,
    });
  });

  it('carry the verified address when the email scope was granted, under its full name', async () => {
    const { sim } = createSim({ issuer: 'accounts.google.com' });
    const tokens = await signInTokens(sim, { scope: 'openid email' });
    expect(tokens.scope).toBe(`openid ${EMAIL}`);
    expect(jwtClaims(tokens.id_token)).toMatchObject({
      iss: 'accounts.google.com',
      email: ALICE.email,
      email_verified: true,
    });
  });

  it('are not issued without the openid scope', async () => {
    const { sim } = createSim();
    const tokens = await signInTokens(sim, { scope: GMAIL_MODIFY });
    expect(tokens).not.toHaveProperty('id_token');
    expect(tokens.scope).toBe(GMAIL_MODIFY);
  });
});
