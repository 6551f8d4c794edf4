import { createHash } from 'node:crypto';
import type { OAuthContext } from './oauth-context.js';
import { missingParameter, OAuthError } from './oauth-errors.js';
import { EMAIL_SCOPE, OPENID_SCOPE } from './oauth-scopes.js';
import type { AccessTokenRecord, PkceChallenge } from './oauth-state.js';

const ID_TOKEN_LIFETIME_SECONDS = 3600;

/** The JSON body of a successful `POST /token`, field for field as Google sends it. */
export interface TokenResponse {
  readonly access_token: string;
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly scope: string;
  readonly token_type: 'Bearer';
  readonly id_token?: string;
}

/** Google's token endpoint: `authorization_code` (with PKCE) and `refresh_token` grants. */
export function grantTokens(
  ctx: OAuthContext,
  form: URLSearchParams,
  authorization: string | undefined,
): TokenResponse {
  const grantType = form.get('grant_type') ?? '';
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw new OAuthError('unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }
  const clientId = authenticateClient(ctx, form, authorization);
  return grantType === 'authorization_code'
    ? exchangeCode(ctx, clientId, form)
    : refreshAccess(ctx, clientId, form);
}

/** Client credentials from HTTP Basic (RFC 6749 2.3.1) or else from the form body. */
function authenticateClient(
  ctx: OAuthContext,
  form: URLSearchParams,
  authorization: string | undefined,
): string {
  const basic = parseBasic(authorization);
  const clientId = basic ? basic.id : form.get('client_id');
  const secret = basic ? basic.secret : form.get('client_secret');
  if (!clientId) {
    throw new OAuthError('invalid_request', 'Could not determine client ID from request.');
  }
  const client = ctx.clients.get(clientId);
  if (!client) throw new OAuthError('invalid_client', 'The OAuth client was not found.');
  if (!secret) throw new OAuthError('invalid_request', 'client_secret is missing.');
  if (secret !== client.clientSecret) throw new OAuthError('invalid_client', 'Unauthorized');
  return clientId;
}

function parseBasic(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

function invalidGrant(description: string): OAuthError {
  return new OAuthError('invalid_grant', description);
}

function exchangeCode(ctx: OAuthContext, clientId: string, form: URLSearchParams): TokenResponse {
  const code = form.get('code');
  if (!code) throw missingParameter('code');
  const redirectUri = form.get('redirect_uri');
  if (!redirectUri) throw missingParameter('redirect_uri');
  if (!code.startsWith('4/')) throw invalidGrant('Malformed auth code.');

  const record = ctx.state.takeCode(code);
  if (!record || record.clientId !== clientId) throw invalidGrant('Bad Request');
  if (record.redirectUri !== redirectUri) {
    throw new OAuthError('redirect_uri_mismatch', 'Bad Request');
  }
  checkVerifier(record.challenge, form.get('code_verifier'));

  const access = ctx.state.issueAccessToken(clientId, record.account, record.scopes);
  const refresh = record.issueRefreshToken
    ? ctx.state.issueRefreshToken(clientId, record.account, record.scopes)
    : undefined;
  return tokenResponse(ctx, access, refresh?.token, record.nonce);
}

function checkVerifier(challenge: PkceChallenge | undefined, verifier: string | null): void {
  if (!challenge) {
    if (verifier) {
      throw new OAuthError('invalid_request', 'code_verifier or verifier is not needed.');
    }
    return;
  }
  if (!verifier) throw invalidGrant('Missing code verifier.');
  const derived =
    challenge.method === 'S256'
      ? createHash('sha256').update(verifier).digest('base64url')
      : verifier;
  if (derived !== challenge.value) throw invalidGrant('Bad Request');
}

function refreshAccess(ctx: OAuthContext, clientId: string, form: URLSearchParams): TokenResponse {
  const token = form.get('refresh_token');
  if (!token) throw missingParameter('refresh_token');
  const record = ctx.state.refreshToken(token);
  if (!record) throw invalidGrant('Bad Request');
  if (record.revoked) throw invalidGrant('Token has been expired or revoked.');
  if (record.clientId !== clientId) throw new OAuthError('unauthorized_client', 'Unauthorized');
  const access = ctx.state.issueAccessToken(clientId, record.account, record.scopes);
  return tokenResponse(ctx, access, undefined, undefined);
}

function tokenResponse(
  ctx: OAuthContext,
  access: AccessTokenRecord,
  refreshToken: string | undefined,
  nonce: string | undefined,
): TokenResponse {
  return {
    access_token: access.token,
    expires_in: ctx.accessTokenTtlSeconds,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope: access.scopes.join(' '),
    token_type: 'Bearer',
    ...(access.scopes.includes(OPENID_SCOPE) ? { id_token: idToken(ctx, access, nonce) } : {}),
  };
}

/** Google's ID token claims; `email` only when the email scope was granted. */
function idToken(ctx: OAuthContext, access: AccessTokenRecord, nonce: string | undefined): string {
  const iat = Math.floor(ctx.now() / 1000);
  const withEmail = access.scopes.includes(EMAIL_SCOPE);
  return ctx.signingKey.signJwt({
    iss: ctx.issuer,
    azp: access.clientId,
    aud: access.clientId,
    sub: access.account.sub,
    ...(withEmail ? { email: access.account.email, email_verified: true } : {}),
    at_hash: atHash(access.token),
    ...(nonce ? { nonce } : {}),
    iat,
    exp: iat + ID_TOKEN_LIFETIME_SECONDS,
  });
}

/** OpenID Connect: base64url of the left half of the SHA-256 of the access token. */
function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}
