export const OPENID_SCOPE = 'openid';
export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';
export const PROFILE_SCOPE = 'https://www.googleapis.com/auth/userinfo.profile';

/** Google answers the short identity scopes with their full names. */
const ALIASES: Readonly<Record<string, string>> = { email: EMAIL_SCOPE, profile: PROFILE_SCOPE };

const API_SCOPE = /^https:\/\/(www\.googleapis\.com\/auth\/[\w.-]+|mail\.google\.com\/)$/;

export interface ParsedScopes {
  /** Canonical names, in request order, without duplicates. */
  readonly scopes: string[];
  readonly invalid: string[];
}

/** Splits a space-separated scope parameter and normalizes the aliases `email` and `profile`. */
export function parseScopes(raw: string): ParsedScopes {
  const scopes: string[] = [];
  const invalid: string[] = [];
  for (const name of raw.split(/\s+/).filter(Boolean)) {
    const canonical = ALIASES[name] ?? name;
    if (canonical !== OPENID_SCOPE && !API_SCOPE.test(canonical)) invalid.push(name);
    else if (!scopes.includes(canonical)) scopes.push(canonical);
  }
  return { scopes, invalid };
}

/** Whether a grant carries any scope that identifies the user (and so a `sub`). */
export function hasIdentityScope(scopes: readonly string[]): boolean {
  return scopes.some((s) => s === OPENID_SCOPE || s === EMAIL_SCOPE || s === PROFILE_SCOPE);
}
