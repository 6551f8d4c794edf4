import { OAuth2Client } from 'google-auth-library';
import type { GoogleEndpoints } from './google-endpoints.js';

export interface OAuthClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri?: string;
  readonly endpoints: GoogleEndpoints;
}

/** An OAuth2Client whose token, revoke and certificate calls all go to `endpoints`. */
export function createOAuthClient(options: OAuthClientOptions): OAuth2Client {
  const { endpoints } = options;
  return new OAuth2Client({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    // A 401 (an access token revoked or expired early) refreshes once before giving up, so a
    // revoked grant surfaces as invalid_grant instead of an endless 401.
    forceRefreshOnFailure: true,
    ...(options.redirectUri ? { redirectUri: options.redirectUri } : {}),
    endpoints: {
      oauth2AuthBaseUrl: endpoints.authorize,
      oauth2TokenUrl: endpoints.token,
      oauth2RevokeUrl: endpoints.revoke,
      oauth2FederatedSignonJwkCertsUrl: endpoints.jwkCerts,
      oauth2FederatedSignonPemCertsUrl: endpoints.pemCerts,
      tokenInfoUrl: endpoints.tokenInfo,
    },
  });
}
