import { SigningKey } from '../../src/local/google/oauth/oauth-keys.js';
import { type Listening, listen } from './listen.js';

/**
 * Google-style OIDC tokens for service accounts, signed by a local key set, and a local
 * `/oauth2/v1/certs` that publishes the keys, so verifyIdToken runs exactly as in the cloud.
 */

export interface OidcClaims {
  readonly audience: string;
  readonly email: string;
  /** Extra or replacing claims (exp, iat, iss, email_verified, ...). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export function mintOidcToken(key: SigningKey, { audience, email, claims }: OidcClaims): string {
  const now = Math.floor(Date.now() / 1000);
  return key.signJwt({
    iss: 'https://accounts.google.com',
    aud: audience,
    azp: '117234567890123456789',
    sub: '117234567890123456789',
    email,
    email_verified: true,
    iat: now,
    exp: now + 3600,
    ...claims,
  });
}

/** A token with `alg: none` and no signature, naming a key id if given. */
export function unsignedToken({ audience, email }: OidcClaims, kid?: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: 'https://accounts.google.com',
    aud: audience,
    email,
    email_verified: true,
    iat: now,
    exp: now + 3600,
  };
  return `${part({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${part(claims)}.`;
}

export interface LocalCerts extends Listening {
  readonly certsUrl: string;
  readonly key: SigningKey;
}

/** Serves the PEM certificates of `keys` (a fresh one by default) at /oauth2/v1/certs. */
export async function serveCerts(
  keys: readonly SigningKey[] = [new SigningKey()],
): Promise<LocalCerts> {
  const body = JSON.stringify(Object.fromEntries(keys.map((k) => [k.kid, k.certificatePem()])));
  const server = await listen((request) =>
    new URL(request.url).pathname === '/oauth2/v1/certs'
      ? new Response(body, {
          headers: { 'content-type': 'application/json', 'cache-control': 'max-age=3600' },
        })
      : new Response('not found', { status: 404 }),
  );
  return { ...server, certsUrl: `${server.url}/oauth2/v1/certs`, key: keys[0]! };
}
