import { gmail, type gmail_v1 } from '@googleapis/gmail';
import type { OAuth2Client } from 'google-auth-library';
import type { GoogleEndpoints } from '../google-auth/google-endpoints.js';

/** The googleapis Gmail client for one user's credentials, at the configured endpoints. */
export function createGmailClient(auth: OAuth2Client, endpoints: GoogleEndpoints): gmail_v1.Gmail {
  const root = new URL(endpoints.gmailRoot);
  const basePath = root.pathname.replace(/\/$/, '');
  return gmail({
    version: 'v1',
    auth,
    rootUrl: `${root.origin}/`,
    // The client library retries only some GETs; the mailbox adapter retries everything itself.
    retry: false,
    // googleapis keeps only the origin of rootUrl; a base with a path (the demo's simulated
    // Google under /_sim/google) needs the path put back on every request.
    ...(basePath
      ? {
          fetchImplementation: (input: string | URL | Request, init?: RequestInit) => {
            const url = new URL(input instanceof Request ? input.url : input);
            if (!url.pathname.startsWith(`${basePath}/`))
              url.pathname = `${basePath}${url.pathname}`;
            return fetch(input instanceof Request ? new Request(url, input) : url, init);
          },
        }
      : {}),
  });
}
