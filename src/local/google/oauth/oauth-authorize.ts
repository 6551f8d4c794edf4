import type { OAuthContext } from './oauth-context.js';
import { missingParameter, OAuthError, type OAuthErrorCode } from './oauth-errors.js';
import { parseScopes } from './oauth-scopes.js';
import type { PkceChallenge } from './oauth-state.js';
import type { SimAccountRef, SimOAuthClient } from './sim-oauth.js';

const PROMPTS = new Set(['none', 'consent', 'select_account']);
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

function pageError(code: OAuthErrorCode, description: string): OAuthError {
  return new OAuthError(code, description, 'page');
}

function invalidValue(name: string, value: string): OAuthError {
  return pageError('invalid_request', `Invalid parameter value for ${name}: ${value}`);
}

/**
 * Google's authorization endpoint with an account that consents at once (unless told to
 * refuse). Returns where the browser is redirected; a request that cannot safely be answered
 * at its redirect URI throws an `OAuthError` shown as an error page.
 */
export function authorize(ctx: OAuthContext, query: URLSearchParams): URL {
  const clientId = query.get('client_id');
  if (!clientId) throw missingParameter('client_id', 'page');
  const client = ctx.clients.get(clientId);
  if (!client) throw pageError('invalid_client', 'The OAuth client was not found.');
  const redirectUri = checkRedirectUri(client, query.get('redirect_uri'));
  const state = query.get('state');
  const redirect = (params: Record<string, string>) => {
    const location = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) location.searchParams.set(name, value);
    return location;
  };
  const withState: Record<string, string> = state === null ? {} : { state };

  const responseType = query.get('response_type');
  if (!responseType) throw missingParameter('response_type', 'page');
  if (responseType !== 'code')
    return redirect({ error: 'unsupported_response_type', ...withState });

  const request = parseRequest(query);
  const account = findAccount(ctx, query.get('login_hint'));
  const consent = ctx.state.consent(account.email, clientId);
  const needsConsent =
    request.prompt.has('consent') ||
    !consent ||
    request.scopes.some((scope) => !consent.scopes.has(scope)) ||
    (request.offline && !consent.offline);
  if (needsConsent && request.prompt.has('none')) {
    return redirect({ error: 'consent_required', ...withState });
  }
  if (needsConsent && ctx.consentAnswer() === 'deny') {
    return redirect({ error: 'access_denied', ...withState });
  }
  if (needsConsent)
    ctx.state.recordConsent(account.email, clientId, request.scopes, request.offline);

  const scopes =
    request.includeGrantedScopes && consent
      ? [...new Set([...request.scopes, ...consent.scopes])]
      : request.scopes;
  const code = ctx.state.createCode({
    clientId,
    redirectUri,
    account,
    scopes,
    issueRefreshToken: request.offline && needsConsent,
    challenge: request.challenge,
    nonce: request.nonce,
  });
  return redirect({
    ...withState,
    iss: ctx.issuer,
    code,
    scope: scopes.join(' '),
    authuser: '0',
    prompt: needsConsent ? 'consent' : 'none',
  });
}

function checkRedirectUri(client: SimOAuthClient, raw: string | null): string {
  if (!raw) throw missingParameter('redirect_uri', 'page');
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw invalidValue('redirect_uri', raw);
  }
  if (client.redirectUris && !client.redirectUris.includes(raw)) {
    throw pageError(
      'redirect_uri_mismatch',
      `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. ` +
        `Request details: redirect_uri=${raw}`,
    );
  }
  return raw;
}

interface AuthorizeRequest {
  readonly scopes: string[];
  readonly offline: boolean;
  readonly prompt: ReadonlySet<string>;
  readonly includeGrantedScopes: boolean;
  readonly challenge: PkceChallenge | undefined;
  readonly nonce: string | undefined;
}

function parseRequest(query: URLSearchParams): AuthorizeRequest {
  const rawScope = query.get('scope') ?? '';
  const { scopes, invalid } = parseScopes(rawScope);
  if (invalid.length > 0) {
    throw pageError('invalid_scope', `Some requested scopes were invalid. {invalid=[${invalid}]}`);
  }
  if (scopes.length === 0) throw missingParameter('scope', 'page');

  const accessType = query.get('access_type') ?? 'online';
  if (accessType !== 'online' && accessType !== 'offline') {
    throw invalidValue('access_type', accessType);
  }
  const rawPrompt = query.get('prompt') ?? '';
  const prompt = new Set(rawPrompt.split(' ').filter(Boolean));
  if ([...prompt].some((p) => !PROMPTS.has(p)) || (prompt.has('none') && prompt.size > 1)) {
    throw invalidValue('prompt', rawPrompt);
  }
  return {
    scopes,
    offline: accessType === 'offline',
    prompt,
    includeGrantedScopes: query.get('include_granted_scopes') === 'true',
    challenge: parseChallenge(query),
    nonce: query.get('nonce') ?? undefined,
  };
}

function parseChallenge(query: URLSearchParams): PkceChallenge | undefined {
  const value = query.get('code_challenge');
  const method = query.get('code_challenge_method') ?? (value ? 'plain' : null);
  if (method === null) return undefined;
  if (!value) throw missingParameter('code_challenge', 'page');
  if (method !== 'S256' && method !== 'plain') throw invalidValue('code_challenge_method', method);
  if (!PKCE_VALUE.test(value)) throw invalidValue('code_challenge', value);
  return { value, method };
}

function findAccount(ctx: OAuthContext, loginHint: string | null): SimAccountRef {
  if (!loginHint) return ctx.directory.defaultAccount();
  const account = ctx.directory.find(loginHint);
  if (!account)
    throw pageError('invalid_request', `Couldn't find your Google Account: ${loginHint}`);
  return account;
}
