import { randomBytes } from 'node:crypto';
import type { SimAccountRef } from './sim-oauth.js';

const CODE_TTL_MS = 10 * 60 * 1000;

export interface PkceChallenge {
  readonly value: string;
  readonly method: 'S256' | 'plain';
}

export interface AuthCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly account: SimAccountRef;
  readonly scopes: readonly string[];
  /** Google returns a refresh token only for offline access granted on a consent screen. */
  readonly issueRefreshToken: boolean;
  readonly challenge?: PkceChallenge | undefined;
  readonly nonce?: string | undefined;
  readonly expiresAt: number;
}

interface TokenRecord {
  readonly token: string;
  readonly clientId: string;
  readonly account: SimAccountRef;
  readonly scopes: readonly string[];
  revoked: boolean;
}

export interface AccessTokenRecord extends TokenRecord {
  readonly expiresAt: number;
}

export type RefreshTokenRecord = TokenRecord;

/** What an account has already consented to for one client. */
export interface Consent {
  readonly scopes: Set<string>;
  offline: boolean;
}

/**
 * Codes, tokens and consents, in memory. Revocation works per grant (an account and a client)
 * as at Google: revoking any token of the grant ends all of it, and the next sign-in shows the
 * consent screen again.
 */
export class OAuthState {
  private readonly codes = new Map<string, AuthCode>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly consents = new Map<string, Consent>();

  constructor(
    private readonly now: () => number,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  consent(email: string, clientId: string): Consent | undefined {
    return this.consents.get(grantKey(email, clientId));
  }

  recordConsent(email: string, clientId: string, scopes: readonly string[], offline: boolean) {
    const key = grantKey(email, clientId);
    const consent = this.consents.get(key) ?? { scopes: new Set<string>(), offline: false };
    for (const scope of scopes) consent.scopes.add(scope);
    consent.offline ||= offline;
    this.consents.set(key, consent);
  }

  createCode(fields: Omit<AuthCode, 'expiresAt'>): string {
    const code = `4/0A${randomToken(54)}`;
    this.codes.set(code, { ...fields, expiresAt: this.now() + CODE_TTL_MS });
    return code;
  }

  /** Redeems a code: single use, so it is gone after this whatever the outcome. */
  takeCode(code: string): AuthCode | undefined {
    const record = this.codes.get(code);
    this.codes.delete(code);
    return record && this.now() < record.expiresAt ? record : undefined;
  }

  issueAccessToken(clientId: string, account: SimAccountRef, scopes: readonly string[]) {
    const token = `ya29.a0${randomToken(150)}`;
    const expiresAt = this.now() + this.accessTokenTtlSeconds * 1000;
    const record = { token, clientId, account, scopes, revoked: false, expiresAt };
    this.accessTokens.set(token, record);
    return record;
  }

  issueRefreshToken(clientId: string, account: SimAccountRef, scopes: readonly string[]) {
    const token = `1//0${randomToken(75)}`;
    const record = { token, clientId, account, scopes, revoked: false };
    this.refreshTokens.set(token, record);
    return record;
  }

  /** A refresh token this simulator issued, revoked or not. */
  refreshToken(token: string): RefreshTokenRecord | undefined {
    return this.refreshTokens.get(token);
  }

  /** An access token that is neither expired nor revoked. */
  liveAccessToken(token: string): AccessTokenRecord | undefined {
    const record = this.accessTokens.get(token);
    return record && !record.revoked && this.now() < record.expiresAt ? record : undefined;
  }

  /** Revokes the grant behind a live access token or refresh token; false when there is none. */
  revokeToken(token: string): boolean {
    const refresh = this.refreshTokens.get(token);
    const record = refresh && !refresh.revoked ? refresh : this.liveAccessToken(token);
    if (!record) return false;
    this.revokeGrants(record.account.email, record.clientId);
    return true;
  }

  /** Ends every grant of an account, or only its grant to one client. */
  revokeGrants(email: string, clientId?: string): void {
    const matches = (accountEmail: string, client: string) =>
      sameEmail(accountEmail, email) && (clientId === undefined || client === clientId);
    for (const record of [...this.accessTokens.values(), ...this.refreshTokens.values()]) {
      if (matches(record.account.email, record.clientId)) record.revoked = true;
    }
    for (const [code, record] of this.codes) {
      if (matches(record.account.email, record.clientId)) this.codes.delete(code);
    }
    for (const key of this.consents.keys()) {
      const [accountEmail = '', client = ''] = key.split('\n');
      if (matches(accountEmail, client)) this.consents.delete(key);
    }
  }
}

function grantKey(email: string, clientId: string): string {
  return `${email.toLowerCase()}\n${clientId}`;
}

function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
