import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  authorizeUrl,
  CLIENT,
  createSim,
  exchangeCode,
  GMAIL_MODIFY,
  OTHER_CLIENT,
  postForm,
  REDIRECT_URI,
  tokenBody,
} from './oauth-fixtures.js';
import type { SimOAuth } from './sim-oauth.js';

const VERIFIER = 'verifier-'.repeat(6);

function pkceCode(sim: SimOAuth, method: 'S256' | 'plain' = 'S256'): string {
  const challenge =
    method === 'S256' ? createHash('sha256').update(VERIFIER).digest('base64url') : VERIFIER;
  const url = authorizeUrl({ code_challenge: challenge, code_challenge_method: method });
  return sim.signIn(url).code ?? '';
}

async function expectError(response: Response, status: number, error: string, description: string) {
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({ error, error_description: description });
}

describe('POST /token', () => {
  it('answers like Google, uncached, and accepts the plain PKCE method', async () => {
    const { sim } = createSim();
    const response = await exchangeCode(sim, pkceCode(sim, 'plain'), { code_verifier: VERIFIER });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(Object.keys(await tokenBody(response))).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
      'id_token',
    ]);
  });

  it.each([
    [{ grant_type: 'password' }, 400, 'unsupported_grant_type', 'Invalid grant_type: password'],
    [
      { client_id: undefined },
      400,
      'invalid_request',
      'Could not determine client ID from request.',
    ],
    [{ client_id: 'nobody' }, 401, 'invalid_client', 'The OAuth client was not found.'],
    [{ client_secret: undefined }, 400, 'invalid_request', 'client_secret is missing.'],
    [{ client_secret: 'wrong' }, 401, 'invalid_client', 'Unauthorized'],
    [{ code: undefined }, 400, 'invalid_request', 'Missing required parameter: code'],
    [
      { redirect_uri: undefined },
      400,
      'invalid_request',
      'Missing required parameter: redirect_uri',
    ],
    [{ code: 'garbage' }, 400, 'invalid_grant', 'Malformed auth code.'],
    [{ code: '4/0Aunknown' }, 400, 'invalid_grant', 'Bad Request'],
    [{ code_verifier: undefined }, 400, 'invalid_grant', 'Missing code verifier.'],
    [{ redirect_uri: `${REDIRECT_URI}/other` }, 400, 'redirect_uri_mismatch', 'Bad Request'],
  ])('answers %o with Google error', async (override, status, error, description) => {
    const { sim } = createSim();
    const response = await exchangeCode(sim, pkceCode(sim), {
      code_verifier: VERIFIER,
      ...override,
    });
    await expectError(response, status, error, description);
  });

  it('refuses a verifier when the authorization had no challenge', async () => {
    const { sim } = createSim();
    const response = await exchangeCode(sim, sim.signIn(authorizeUrl()).code, {
      code_verifier: VERIFIER,
    });
    await expectError(response, 400, 'invalid_request', 'code_verifier or verifier is not needed.');
  });

  it('refuses a code after its ten minutes', async () => {
    const { sim, clock } = createSim();
    const code = pkceCode(sim);
    clock.now += 10 * 60 * 1000;
    const response = await exchangeCode(sim, code, { code_verifier: VERIFIER });
    await expectError(response, 400, 'invalid_grant', 'Bad Request');
  });

  it('refuses a code issued to another client', async () => {
    const { sim } = createSim();
    const response = await exchangeCode(sim, pkceCode(sim), {
      code_verifier: VERIFIER,
      client_id: OTHER_CLIENT.clientId,
      client_secret: OTHER_CLIENT.clientSecret,
    });
    await expectError(response, 400, 'invalid_grant', 'Bad Request');
  });

  it('refreshes with id_token but no new refresh token, and only for the owning client', async () => {
    const { sim } = createSim();
    const first = await tokenBody(await exchangeCode(sim, sim.signIn(authorizeUrl()).code));
    const form = { grant_type: 'refresh_token', refresh_token: String(first.refresh_token) };
    const ownCredentials = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
    const refreshed = await tokenBody(
      await postForm(sim, '/token', { ...form, ...ownCredentials }),
    );
    expect(Object.keys(refreshed)).toEqual([
      'access_token',
      'expires_in',
      'scope',
      'token_type',
      'id_token',
    ]);
    expect(refreshed).toMatchObject({ expires_in: 3599, scope: `openid ${GMAIL_MODIFY}` });

    const otherCredentials = {
      client_id: OTHER_CLIENT.clientId,
      client_secret: OTHER_CLIENT.clientSecret,
    };
    const stolen = await postForm(sim, '/token', { ...form, ...otherCredentials });
    await expectError(stolen, 400, 'unauthorized_client', 'Unauthorized');
    const unknown = await postForm(sim, '/token', {
      ...form,
      refresh_token: '1//0nope',
      ...ownCredentials,
    });
    await expectError(unknown, 400, 'invalid_grant', 'Bad Request');
  });

  it('works mounted under a prefix, errors included', async () => {
    const { sim } = createSim();
    const app = new Hono().route('/_sim/google', sim.routes);
    const response = await app.request('/_sim/google/token', {
      method: 'POST',
      body: new URLSearchParams(),
    });
    await expectError(response, 400, 'unsupported_grant_type', 'Invalid grant_type: ');
  });
});

describe('POST /revoke', () => {
  it('revokes a token given in the form body and answers {}', async () => {
    const { sim } = createSim();
    const tokens = await tokenBody(await exchangeCode(sim, sim.signIn(authorizeUrl()).code));
    const response = await postForm(sim, '/revoke', { token: String(tokens.refresh_token) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(sim.grantFor(String(tokens.access_token))).toBeUndefined();
  });

  it('answers invalid_token for an unknown token and invalid_request for none', async () => {
    const { sim } = createSim();
    await expectError(
      await postForm(sim, '/revoke?token=ya29.unknown', {}),
      400,
      'invalid_token',
      'Token expired or revoked',
    );
    await expectError(
      await postForm(sim, '/revoke', {}),
      400,
      'invalid_request',
      'Missing required parameter: token',
    );
  });
});

describe('access tokens', () => {
  it('expire after accessTokenTtlSeconds', async () => {
    const { sim, clock } = createSim({ accessTokenTtlSeconds: 60 });
    const token = sim.issueAccessToken(ALICE.email, [GMAIL_MODIFY]);
    expect(sim.grantFor(token)).toEqual({ email: ALICE.email, scopes: [GMAIL_MODIFY] });
    clock.now += 60 * 1000;
    expect(sim.grantFor(token)).toBeUndefined();
    const info = await sim.routes.request(`/tokeninfo?access_token=${token}`);
    await expectError(info, 400, 'invalid_token', 'Invalid Value');
  });

  it('are described by tokeninfo with string expiry fields and no sub without identity scopes', async () => {
    const { sim, clock } = createSim();
    const token = sim.issueAccessToken(ALICE.email, [GMAIL_MODIFY]);
    clock.now += 599 * 1000;
    const response = await sim.routes.request('/oauth2/v3/tokeninfo', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await response.json()).toEqual({
      azp: CLIENT.clientId,
      aud: CLIENT.clientId,
      scope: GMAIL_MODIFY,
      exp: String(Math.floor((clock.now + 3000 * 1000) / 1000)),
      expires_in: '3000',
    });
  });

  it('cannot be minted for an account the directory does not know', () => {
    const { sim } = createSim();
    expect(() => sim.issueAccessToken('stranger@example.com', [GMAIL_MODIFY])).toThrow(/stranger/);
  });
});

describe('certificates', () => {
  it('serve the JWKS and PEM certificates with a cacheable max-age', async () => {
    const { sim } = createSim();
    const jwks = await sim.routes.request('/oauth2/v3/certs');
    expect(jwks.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const { keys } = (await jwks.json()) as { keys: { kid: string }[] };
    expect(keys).toEqual([sim.signingKey.jwk()]);
    const pem = await sim.routes.request('/oauth2/v1/certs');
    expect(pem.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await pem.json()).toEqual({ [sim.signingKey.kid]: sim.signingKey.certificatePem() });
  });
});
