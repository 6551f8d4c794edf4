import type { SigningKey } from './oauth-keys.js';
import type { OAuthState } from './oauth-state.js';
import type { SimDirectory, SimOAuthClient } from './sim-oauth.js';

/** What the authorization and token endpoints share. */
export interface OAuthContext {
  readonly clients: ReadonlyMap<string, SimOAuthClient>;
  readonly directory: SimDirectory;
  readonly state: OAuthState;
  readonly signingKey: SigningKey;
  readonly issuer: string;
  readonly now: () => number;
  readonly accessTokenTtlSeconds: number;
  /** The user's answer when a consent screen is shown. */
  consentAnswer(): 'allow' | 'deny';
}
