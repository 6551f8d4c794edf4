import { OAuth2Client } from 'google-auth-library';
import { createGmailClient } from '../../src/adapters/gmail/gmail-client.js';
import { googleEndpoints } from '../../src/adapters/google-auth/google-endpoints.js';
import { SCOPES } from '../../src/local/google/gmail-call.js';
import {
  type AccountSpec,
  SimulatedGoogle,
  type SimulatedGoogleOptions,
} from '../../src/local/google/simulated-google.js';
import { type Listening, listen } from './listen.js';

export const TEST_CLIENT = {
  clientId: 'test-client.apps.googleusercontent.com',
  clientSecret: 'test-secret',
};

export interface RunningGoogle {
  readonly google: SimulatedGoogle;
  readonly server: Listening;
  readonly endpoints: ReturnType<typeof googleEndpoints>;
  /** A real googleapis Gmail client signed in as `email` with the given scopes. */
  gmailFor(email: string, scopes?: readonly string[]): ReturnType<typeof createGmailClient>;
  /** The OAuth2Client behind gmailFor, for batch calls. */
  authFor(email: string, scopes?: readonly string[]): OAuth2Client;
  close(): Promise<void>;
}

/** Starts a simulated Google on 127.0.0.1 with the given accounts. */
export async function startSimulatedGoogle(
  accounts: readonly AccountSpec[],
  options: Partial<SimulatedGoogleOptions> = {},
): Promise<RunningGoogle> {
  const google = new SimulatedGoogle({ clients: [TEST_CLIENT], ...options });
  for (const account of accounts) google.addAccount(account);
  const server = await listen(google.app.fetch);
  const endpoints = googleEndpoints(server.url);
  const authFor = (email: string, scopes: readonly string[] = [SCOPES.modify]) => {
    const auth = new OAuth2Client({
      clientId: TEST_CLIENT.clientId,
      clientSecret: TEST_CLIENT.clientSecret,
    });
    auth.setCredentials({ access_token: google.oauth.issueAccessToken(email, [...scopes]) });
    return auth;
  };
  return {
    google,
    server,
    endpoints,
    authFor,
    gmailFor: (email, scopes) => createGmailClient(authFor(email, scopes), endpoints),
    close: () => server.close(),
  };
}
