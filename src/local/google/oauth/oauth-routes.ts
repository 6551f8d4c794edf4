import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { authorize } from './oauth-authorize.js';
import type { OAuthContext } from './oauth-context.js';
import { missingParameter, OAuthError } from './oauth-errors.js';
import { EMAIL_SCOPE, hasIdentityScope } from './oauth-scopes.js';
import { grantTokens } from './oauth-token.js';

const NO_STORE = {
  'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
  Pragma: 'no-cache',
  Expires: 'Mon, 01 Jan 1990 00:00:00 GMT',
};
/** Google serves its signing keys cacheable for some hours; clients cache by max-age. */
const CERTS_MAX_AGE_SECONDS = 6 * 60 * 60;

/** Google's OAuth 2.0 and OpenID endpoints, on Google's paths, to mount at the base URL root. */
export function oauthRoutes(ctx: OAuthContext): Hono {
  const app = new Hono();

  app.get('/o/oauth2/v2/auth', (c) => {
    return c.redirect(authorize(ctx, new URL(c.req.url).searchParams).href, 302);
  });

  app.post('/token', async (c) => {
    const params = await requestParams(c);
    return googleJson(c, grantTokens(ctx, params, c.req.header('authorization')));
  });

  app.on(['GET', 'POST'], '/revoke', async (c) => {
    const token = (await requestParams(c)).get('token');
    if (!token) throw missingParameter('token');
    if (!ctx.state.revokeToken(token)) {
      throw new OAuthError('invalid_token', 'Token expired or revoked');
    }
    return googleJson(c, {});
  });

  app.get('/oauth2/v3/certs', (c) => {
    return googleJson(c, { keys: [ctx.signingKey.jwk()] }, 200, certsCaching(ctx.now()));
  });

  app.get('/oauth2/v1/certs', (c) => {
    const certs = { [ctx.signingKey.kid]: ctx.signingKey.certificatePem() };
    return googleJson(c, certs, 200, certsCaching(ctx.now()));
  });

  app.on(['GET', 'POST'], ['/tokeninfo', '/oauth2/v3/tokeninfo'], async (c) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const token = (await requestParams(c)).get('access_token') ?? bearer;
    const record = token ? ctx.state.liveAccessToken(token) : undefined;
    if (!record) throw new OAuthError('invalid_token', 'Invalid Value');
    const expiresIn = Math.floor((record.expiresAt - ctx.now()) / 1000);
    const withEmail = record.scopes.includes(EMAIL_SCOPE);
    return googleJson(c, {
      azp: record.clientId,
      aud: record.clientId,
      ...(hasIdentityScope(record.scopes) ? { sub: record.account.sub } : {}),
      scope: record.scopes.join(' '),
      exp: String(Math.floor(record.expiresAt / 1000)),
      expires_in: String(expiresIn),
      ...(withEmail ? { email: record.account.email, email_verified: 'true' } : {}),
    });
  });

  app.onError((error, c) => {
    if (!(error instanceof OAuthError)) {
      return googleJson(c, { error: 'internal_failure', error_description: 'Backend Error' }, 500);
    }
    if (error.surface === 'page') return c.html(errorPage(error), error.status);
    const body = { error: error.code, error_description: error.description };
    return googleJson(c, body, error.status);
  });

  return app;
}

/** Query parameters, overlaid by form or JSON body parameters. */
async function requestParams(c: Context): Promise<URLSearchParams> {
  const params = new URLSearchParams(new URL(c.req.url).search);
  if (c.req.method !== 'POST') return params;
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (type.startsWith('application/json')) {
    const body = parseJson(text);
    if (body && typeof body === 'object') {
      for (const [name, value] of Object.entries(body)) params.set(name, String(value));
    }
  } else {
    for (const [name, value] of new URLSearchParams(text)) params.set(name, value);
  }
  return params;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new OAuthError('invalid_request', 'Invalid JSON payload received.');
  }
}

/** Google's OAuth JSON: pretty-printed, never cached unless headers say otherwise. */
function googleJson(
  c: Context,
  body: object,
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = NO_STORE,
): Response {
  return c.body(JSON.stringify(body, null, 2), status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
  });
}

function certsCaching(now: number): Record<string, string> {
  return {
    'Cache-Control': `public, max-age=${CERTS_MAX_AGE_SECONDS}, must-revalidate, no-transform`,
    Expires: new Date(now + CERTS_MAX_AGE_SECONDS * 1000).toUTCString(),
  };
}

function errorPage(error: OAuthError) {
  const heading =
    error.code === 'redirect_uri_mismatch'
      ? 'Access blocked: This app’s request is invalid'
      : 'Access blocked: Authorization Error';
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Error ${error.status}: ${error.code}</title>
  </head>
  <body>
    <h1>${heading}</h1>
    <p>${error.description}</p>
    <p>Error ${error.status}: ${error.code}</p>
  </body>
</html>`;
}
