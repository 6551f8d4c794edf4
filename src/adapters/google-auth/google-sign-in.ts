import { createHash, randomBytes } from 'node:crypto';
import type { Credentials } from 'google-auth-library';
import type { GmailUnitTable } from '../../domain/gmail-quota.js';
import { MailboxUnavailable, ReconnectNeeded } from '../../domain/mailbox-errors.js';
import type { QuotaLedger } from '../../domain/quota-ledger.js';
import { createGmailClient } from '../gmail/gmail-client.js';
import { withGmailRetry } from '../gmail/gmail-retry.js';
import type { GoogleEndpoints } from './google-endpoints.js';
import { createOAuthClient } from './oauth-client.js';

export const GMAIL_MODIFY_SCOPE = 'https://www.googleapis.com/auth/gmail.modify';
const SCOPES = ['openid', GMAIL_MODIFY_SCOPE];

export interface SignInOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  /** Server-to-server endpoints (token, certs, Gmail). */
  readonly endpoints: GoogleEndpoints;
  /** Where the browser is sent to consent; differs from `endpoints` only in demo mode. */
  readonly authorizeUrl: string;
  /**
   * The Gmail budget the sign-in's getProfile spends from, as every other Gmail call does:
   * Gmail charges it to the user and the project like any call.
   */
  readonly quota: { readonly ledger: QuotaLedger; readonly units: GmailUnitTable };
}

export interface SignInStart {
  readonly url: string;
  readonly state: string;
  readonly codeVerifier: string;
}

export interface SignedIn {
  /** Google's stable user id. */
  readonly sub: string;
  /** Only present when Google issued one (first consent, or prompt=consent). */
  readonly refreshToken: string | undefined;
  /** From getProfile; only ever hashed, never stored. */
  readonly emailAddress: string;
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** Google sign-in: OAuth 2.0 code flow with state and PKCE, offline access, id token verified. */
export class GoogleSignIn {
  constructor(private readonly options: SignInOptions) {}

  start(): SignInStart {
    const state = randomBytes(16).toString('base64url');
    const codeVerifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(codeVerifier).digest('base64url');
    const url = new URL(this.options.authorizeUrl);
    url.search = new URLSearchParams({
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      response_type: 'code',
      scope: SCOPES.join(' '),
      access_type: 'offline',
      // Consent every time, so Google always issues a refresh token.
      prompt: 'consent',
      include_granted_scopes: 'true',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    return { url: url.toString(), state, codeVerifier };
  }

  async complete(code: string, codeVerifier: string): Promise<SignedIn> {
    const client = createOAuthClient({ ...this.options });
    let tokens: Credentials;
    try {
      const answer = await client.getToken({
        code,
        codeVerifier,
        redirect_uri: this.options.redirectUri,
      });
      tokens = answer.tokens;
    } catch {
      throw new SignInError('Google did not accept the sign-in code');
    }
    if (!tokens.id_token) throw new SignInError('Google sent no id token');
    const ticket = await client
      .verifyIdToken({ idToken: tokens.id_token, audience: this.options.clientId })
      .catch(() => {
        throw new SignInError('The id token from Google did not verify');
      });
    const sub = ticket.getPayload()?.sub;
    if (!sub) throw new SignInError('The id token has no subject');
    const granted = (tokens.scope ?? '').split(' ');
    if (!granted.includes(GMAIL_MODIFY_SCOPE)) {
      throw new SignInError(
        'Access to Gmail was not granted: allow it to let the service clean up',
      );
    }
    client.setCredentials(tokens);
    const gmail = createGmailClient(client, this.options.endpoints);
    const { ledger, units } = this.options.quota;
    // Counted by the ledger under the same key as the user's mailbox (the sub): a unit it did
    // not count is one Gmail counts anyway, and a scan filling the window would meet a 429.
    const { data } = await withGmailRetry(
      (signal) => gmail.users.getProfile({ userId: 'me' }, { signal }),
      {
        label: 'users.getProfile (sign-in)',
        quota: { ledger, userKey: sub, units: units['users.getProfile'] },
      },
    ).catch((error: unknown) => {
      if (error instanceof MailboxUnavailable) {
        throw new SignInError('Gmail is busy: please sign in again in a minute');
      }
      if (error instanceof ReconnectNeeded) throw new SignInError('Google revoked the sign-in');
      throw error;
    });
    if (!data.emailAddress) throw new SignInError('Gmail did not tell the mailbox address');
    return {
      sub,
      refreshToken: tokens.refresh_token ?? undefined,
      emailAddress: data.emailAddress,
    };
  }

  /** Revokes a refresh token at Google (on disconnect); failures are not fatal. */
  async revoke(refreshToken: string): Promise<boolean> {
    const response = await fetch(
      `${this.options.endpoints.revoke}?token=${encodeURIComponent(refreshToken)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    ).catch(() => undefined);
    return response?.ok ?? false;
  }
}
