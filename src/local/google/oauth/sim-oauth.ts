import type { Hono } from 'hono';
import type { SimGrant } from '../sim-types.js';
import { authorize } from './oauth-authorize.js';
import type { OAuthContext } from './oauth-context.js';
import { SigningKey } from './oauth-keys.js';
import { oauthRoutes } from './oauth-routes.js';
import { parseScopes } from './oauth-scopes.js';
import { OAuthState } from './oauth-state.js';

export interface SimAccountRef {
  readonly email: string;
  /** Google's stable user id: a 21-digit numeric string. */
  readonly sub: string;
}

/** The accounts that can sign in. */
export interface SimDirectory {
  find(email: string): SimAccountRef | undefined;
  /** Who signs in when the authorization request names nobody (no `login_hint`). */
  defaultAccount(): SimAccountRef;
}

export interface SimOAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registered redirect URIs; when given, any other one is refused like Google does. */
  readonly redirectUris?: readonly string[] | undefined;
}

export interface SimOAuthOptions {
  readonly clients: readonly SimOAuthClient[];
  /** The ID tokens' `iss`; default `https://accounts.google.com`. */
  readonly issuer?: string | undefined;
  /** Epoch ms; default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** Default 3599, as Google answers. */
  readonly accessTokenTtlSeconds?: number | undefined;
  /** Share one key between simulators (generating an RSA key takes a moment). */
  readonly signingKey?: SigningKey | undefined;
}

/** The query a sign-in's redirect carries: `code`, `scope`, ... or `error`. */
export interface SignInRedirect {
  readonly location: URL;
  readonly code?: string | undefined;
  readonly scope?: string | undefined;
  readonly state?: string | undefined;
  readonly error?: string | undefined;
}

/**
 * Google's OAuth 2.0 / OpenID Connect side: authorization code flow with PKCE, refresh and
 * revocation, ID tokens signed with RS256, and the keys to check them. Accounts consent at
 * once unless `nextConsent` says otherwise.
 */
export class SimOAuth {
  readonly routes: Hono;
  readonly signingKey: SigningKey;
  readonly issuer: string;
  /** The answer on the next consent screen shown: `deny` sends `error=access_denied`, once. */
  nextConsent: 'allow' | 'deny' = 'allow';
  private readonly context: OAuthContext;

  constructor(
    options: SimOAuthOptions,
    private readonly directory: SimDirectory,
  ) {
    const now = options.now ?? Date.now;
    const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3599;
    this.issuer = options.issuer ?? 'https://accounts.google.com';
    this.signingKey = options.signingKey ?? new SigningKey({ now: now() });
    this.context = {
      clients: new Map(options.clients.map((client) => [client.clientId, client])),
      directory,
      state: new OAuthState(now, accessTokenTtlSeconds),
      signingKey: this.signingKey,
      issuer: this.issuer,
      now,
      accessTokenTtlSeconds,
      consentAnswer: () => {
        const answer = this.nextConsent;
        this.nextConsent = 'allow';
        return answer;
      },
    };
    this.routes = oauthRoutes(this.context);
  }

  /** The grant behind a bearer access token, or undefined if unknown, expired or revoked. */
  grantFor(accessToken: string): SimGrant | undefined {
    const record = this.context.state.liveAccessToken(accessToken);
    return record && { email: record.account.email, scopes: record.scopes };
  }

  /** Revokes every token of an account (to simulate a user revoking access mid-run). */
  revokeAccount(email: string): void {
    this.context.state.revokeGrants(email);
  }

  /** Mint an access token directly for tests that skip the browser flow. */
  issueAccessToken(email: string, scopes: readonly string[], clientId?: string): string {
    const account = this.directory.find(email);
    if (!account) throw new Error(`No simulated account ${email}`);
    const client = clientId ?? this.context.clients.keys().next().value;
    if (client === undefined || !this.context.clients.has(client)) {
      throw new Error(`No simulated OAuth client ${clientId ?? ''}`);
    }
    const parsed = parseScopes(scopes.join(' '));
    if (parsed.invalid.length > 0) throw new Error(`Invalid scopes: ${parsed.invalid.join(' ')}`);
    return this.context.state.issueAccessToken(client, account, parsed.scopes).token;
  }

  /**
   * Completes a sign-in without a browser: takes the authorization URL (as `generateAuthUrl`
   * builds it) and returns what the redirect carries. Throws the `OAuthError` that Google would
   * show as an error page.
   */
  signIn(authorizationUrl: string | URL): SignInRedirect {
    const location = authorize(this.context, new URL(authorizationUrl).searchParams);
    const param = (name: string) => location.searchParams.get(name) ?? undefined;
    return {
      location,
      code: param('code'),
      scope: param('scope'),
      state: param('state'),
      error: param('error'),
    };
  }
}
