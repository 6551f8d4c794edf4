import type { OAuth2Client } from 'google-auth-library';
import type { GmailUnitTable } from '../../domain/gmail-quota.js';
import { ReconnectNeeded } from '../../domain/mailbox-errors.js';
import type { KeyRing, MailboxFactory } from '../../domain/ports.js';
import type { QuotaLedger } from '../../domain/quota-ledger.js';
import { open } from '../../domain/sealing.js';
import type { GoogleEndpoints } from '../google-auth/google-endpoints.js';
import { createOAuthClient } from '../google-auth/oauth-client.js';
import { createGmailClient } from './gmail-client.js';
import { GmailMailbox } from './gmail-mailbox.js';

export interface GmailMailboxFactoryOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly endpoints: GoogleEndpoints;
  readonly keyRing: KeyRing;
  readonly ledger: QuotaLedger;
  readonly units: GmailUnitTable;
  /** How retries wait (tests pass a faster one). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How many users' OAuth clients (and their access tokens) to keep warm. */
  readonly cacheSize?: number;
}

/**
 * Opens a user's Gmail: decrypts the refresh token and keeps the OAuth client per user, so
 * consecutive tasks reuse the access token instead of refreshing it every time.
 */
export function gmailMailboxFactory(options: GmailMailboxFactoryOptions): MailboxFactory {
  const cacheSize = options.cacheSize ?? 500;
  const clients = new Map<string, { sealed: string; auth: OAuth2Client }>();

  return async (user) => {
    if (!user.refreshToken || user.needsReconnect) throw new ReconnectNeeded();
    let entry = clients.get(user.id);
    if (!entry || entry.sealed !== user.refreshToken) {
      const refreshToken = await open(options.keyRing, user.refreshToken, user.id);
      const auth = createOAuthClient(options);
      auth.setCredentials({ refresh_token: refreshToken });
      entry = { sealed: user.refreshToken, auth };
    }
    clients.delete(user.id);
    clients.set(user.id, entry);
    if (clients.size > cacheSize) clients.delete(clients.keys().next().value!);
    return new GmailMailbox({
      gmail: createGmailClient(entry.auth, options.endpoints),
      auth: entry.auth,
      endpoints: options.endpoints,
      ledger: options.ledger,
      userKey: user.id,
      units: options.units,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  };
}
