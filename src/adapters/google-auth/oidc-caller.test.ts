import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalCerts,
  mintOidcToken,
  serveCerts,
  unsignedToken,
} from '../../../test/helpers/oidc-tokens.js';
import { SigningKey } from '../../local/google/oauth/oauth-keys.js';
import { createLogger } from '../../log.js';
import { OidcCaller } from './oidc-caller.js';

const AUDIENCE = 'https://clean-that-up.example.run.app';
const INVOKER = 'tasks-invoker@demo-project.iam.gserviceaccount.com';

describe('OidcCaller', () => {
  let certs: LocalCerts;
  let caller: OidcCaller;
  const logged: { reason?: string; detail?: string }[] = [];
  const log = createLogger('debug', (line) => logged.push(JSON.parse(line)));

  beforeAll(async () => {
    certs = await serveCerts();
    caller = new OidcCaller({
      audience: AUDIENCE,
      serviceAccountEmail: INVOKER,
      certsUrl: certs.certsUrl,
      log,
    });
  });
  afterAll(() => certs?.close());

  const request = (authorization?: string) =>
    new Request(`${AUDIENCE}/tasks/plan`, {
      method: 'POST',
      headers: authorization ? { authorization } : {},
    });
  const bearer = (token: string) => request(`Bearer ${token}`);
  const token = (claims: Record<string, unknown> = {}, key = certs.key) =>
    mintOidcToken(key, { audience: AUDIENCE, email: INVOKER, claims });
  /** Why the caller refused the request, as it logged it; fails if it was accepted. */
  async function refusal(req: Request): Promise<string | undefined> {
    logged.length = 0;
    expect(await caller.verify(req)).toBe(false);
    return logged.at(-1)?.detail ?? logged.at(-1)?.reason;
  }

  it('accepts a token Google signed for the service URL and the invoker account', async () => {
    expect(await caller.verify(bearer(token()))).toBe(true);
  });

  it('accepts the issuer without its scheme, as Google also writes it', async () => {
    expect(await caller.verify(bearer(token({ iss: 'accounts.google.com' })))).toBe(true);
  });

  it('refuses a request without a bearer token', async () => {
    expect(await refusal(request())).toBe('no bearer token');
    expect(await refusal(request(`Basic ${token()}`))).toBe('no bearer token');
    expect(await refusal(bearer('not-a-jwt'))).toBe('Wrong number of segments');
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(bearer(token({ iat: now - 7200, exp: now - 3600 })))).toBe(
      'Token used too late',
    );
  });

  it('refuses a token for another audience', async () => {
    expect(await refusal(bearer(token({ aud: 'https://other.example' })))).toBe('Wrong recipient');
  });

  it('refuses a token for another service account', async () => {
    const other = 'someone@demo-project.iam.gserviceaccount.com';
    expect(await refusal(bearer(token({ email: other })))).toBe('token is for another account');
  });

  it('refuses a token whose email is not verified', async () => {
    expect(await refusal(bearer(token({ email_verified: false })))).toBe('email not verified');
    expect(await refusal(bearer(token({ email_verified: undefined })))).toBe('email not verified');
  });

  it('refuses a token from another issuer', async () => {
    expect(await refusal(bearer(token({ iss: 'https://evil.example' })))).toBe('Invalid issuer');
  });

  it('refuses an unsigned token (alg none), even one naming a published key id', async () => {
    const claims = { audience: AUDIENCE, email: INVOKER };
    expect(await refusal(bearer(unsignedToken(claims)))).toBe('No pem found');
    const withKid = unsignedToken(claims, certs.key.kid);
    expect(await refusal(bearer(withKid))).toBe('Invalid token signature');
  });

  it('refuses a token signed by a key Google does not publish', async () => {
    expect(await refusal(bearer(token({}, new SigningKey())))).toBe('No pem found');
  });

  it('refuses a token signed by another key under a published key id', async () => {
    const impostor = new SigningKey({ kid: certs.key.kid });
    expect(await refusal(bearer(token({}, impostor)))).toBe('Invalid token signature');
  });

  it('refuses every token when the certificates cannot be fetched', async () => {
    const blind = new OidcCaller({
      audience: AUDIENCE,
      serviceAccountEmail: INVOKER,
      certsUrl: `${certs.url}/missing`,
    });
    expect(await blind.verify(bearer(token()))).toBe(false);
  });
});
