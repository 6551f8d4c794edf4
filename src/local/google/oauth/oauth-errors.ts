/**
 * The simulated Google's OAuth errors. Each code has one status, in one table; the routes'
 * `onError` is the one place that turns an error into Google's JSON body or its HTML page.
 */

export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  invalid_scope: 400,
  invalid_token: 400,
  redirect_uri_mismatch: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

/**
 * `json`: the token, revoke and tokeninfo endpoints answer `{error, error_description}`.
 * `page`: the authorization endpoint shows an error page and never redirects to the client.
 */
export type OAuthErrorSurface = 'json' | 'page';

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly surface: OAuthErrorSurface = 'json',
  ) {
    super(`${code}: ${description}`);
  }

  get status(): (typeof OAUTH_ERROR_STATUS)[OAuthErrorCode] {
    return OAUTH_ERROR_STATUS[this.code];
  }
}

/** Google's wording for a required parameter that is absent. */
export function missingParameter(name: string, surface: OAuthErrorSurface = 'json'): OAuthError {
  return new OAuthError('invalid_request', `Missing required parameter: ${name}`, surface);
}
