import { gmail, type gmail_v1 } from '@googleapis/gmail';
import type { OAuth2Client } from 'google-auth-library';
import type { GoogleEndpoints } from '../google-auth/google-endpoints.js';

/** The googleapis Gmail client for one user's credentials, at the configured endpoints. */
export function createGmailClient(auth: OAuth2Client, endpoints: GoogleEndpoints): gmail_v1.Gmail {
  // The googleapis client does its own retries for GETs only; the mailbox adapter retries all.
  return gmail({ version: 'v1', auth, rootUrl: endpoints.gmailRoot, retry: false });
}
