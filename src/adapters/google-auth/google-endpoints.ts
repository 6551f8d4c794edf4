/** Every Google endpoint the service calls, at Google's own paths under one base URL. */
export interface GoogleEndpoints {
  readonly authorize: string;
  readonly token: string;
  readonly revoke: string;
  readonly jwkCerts: string;
  readonly pemCerts: string;
  readonly tokenInfo: string;
  /** Root URL for the googleapis client: it appends `gmail/v1/...`. */
  readonly gmailRoot: string;
  readonly gmailBatch: string;
}

export const GOOGLE_ENDPOINTS: GoogleEndpoints = {
  authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  revoke: 'https://oauth2.googleapis.com/revoke',
  jwkCerts: 'https://www.googleapis.com/oauth2/v3/certs',
  pemCerts: 'https://www.googleapis.com/oauth2/v1/certs',
  tokenInfo: 'https://oauth2.googleapis.com/tokeninfo',
  gmailRoot: 'https://gmail.googleapis.com/',
  gmailBatch: 'https://gmail.googleapis.com/batch/gmail/v1',
};

/** Google's endpoints, or the same paths under `base` (a simulated or test Google). */
export function googleEndpoints(base?: string): GoogleEndpoints {
  if (base === undefined) return GOOGLE_ENDPOINTS;
  return {
    authorize: `${base}/o/oauth2/v2/auth`,
    token: `${base}/token`,
    revoke: `${base}/revoke`,
    jwkCerts: `${base}/oauth2/v3/certs`,
    pemCerts: `${base}/oauth2/v1/certs`,
    tokenInfo: `${base}/oauth2/v3/tokeninfo`,
    gmailRoot: `${base}/`,
    gmailBatch: `${base}/batch/gmail/v1`,
  };
}
