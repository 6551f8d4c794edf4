import { OAuth2Client } from 'google-auth-library';
import type { TaskCaller } from '../../http/task-routes.js';
import { type Logger, silentLogger } from '../../log.js';
import { GOOGLE_ENDPOINTS } from './google-endpoints.js';

/** Google signs the OIDC tokens of Cloud Tasks, Pub/Sub push and Cloud Scheduler as either. */
export const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

export interface OidcCallerOptions {
  /** The audience the token must name: the service URL (tasks, cron) or the push endpoint. */
  readonly audience: string;
  /** The service account allowed to call (or several accounts); verified in the token. */
  readonly serviceAccountEmail: string | readonly string[];
  /** Google's PEM certificates (`/oauth2/v1/certs`); tests point this at a local server. */
  readonly certsUrl?: string | undefined;
  readonly log?: Logger;
}

/**
 * A caller authenticated by a Google-signed OIDC token in `Authorization: Bearer`, as Cloud
 * Tasks, Pub/Sub push and Cloud Scheduler send it: signature against Google's certificates,
 * issuer, expiry, audience, then the service account's email and `email_verified`.
 */
export class OidcCaller implements TaskCaller {
  private readonly client: OAuth2Client;
  private readonly log: Logger;

  constructor(private readonly options: OidcCallerOptions) {
    this.client = new OAuth2Client({
      issuers: GOOGLE_ISSUERS,
      endpoints: {
        oauth2FederatedSignonPemCertsUrl: options.certsUrl ?? GOOGLE_ENDPOINTS.pemCerts,
      },
    });
    this.log = options.log ?? silentLogger;
  }

  async verify(request: Request): Promise<boolean> {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (!token) return this.refuse('no bearer token');
    let payload: { email?: string; email_verified?: boolean } | undefined;
    try {
      const ticket = await this.client.verifyIdToken({
        idToken: token,
        audience: this.options.audience,
      });
      payload = ticket.getPayload();
    } catch (error) {
      // The library's messages quote the token, a credential: log only what kind of failure.
      return this.refuse('token did not verify', describe(error));
    }
    const allowed = this.options.serviceAccountEmail;
    const email = payload?.email?.toLowerCase();
    const emails = (typeof allowed === 'string' ? [allowed] : allowed).map((a) => a.toLowerCase());
    if (!email || !emails.includes(email)) {
      return this.refuse('token is for another account');
    }
    if (payload?.email_verified !== true) return this.refuse('email not verified');
    return true;
  }

  private refuse(reason: string, detail?: string): false {
    this.log.warn('internal endpoint call refused', { reason, ...(detail ? { detail } : {}) });
    return false;
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const known = [
    'Wrong number of segments',
    'No pem found',
    'Invalid token signature',
    'Token used too late',
    'Token used too early',
    'Expiration time too far',
    'Invalid issuer',
    'Wrong recipient',
    'Failed to retrieve verification certificates',
  ];
  return known.find((prefix) => message.startsWith(prefix)) ?? 'malformed token';
}
