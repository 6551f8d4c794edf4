import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { selfSignedCertificatePem } from './oauth-cert.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One entry of Google's `/oauth2/v3/certs` JWKS. */
export interface SimJwk {
  readonly kid: string;
  readonly kty: 'RSA';
  readonly alg: 'RS256';
  readonly use: 'sig';
  readonly n: string;
  readonly e: string;
}

export interface SigningKeyOptions {
  /** Key id for the JWT header; by default 40 hex digits derived from the key, like Google's. */
  readonly kid?: string;
  /** Epoch ms the certificate's validity starts from (Google's certs live about two weeks). */
  readonly now?: number;
}

/** An RSA key that signs ID tokens (RS256) and publishes itself as a JWK and a certificate. */
export class SigningKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;
  private readonly notBefore: number;
  private certificate: string | undefined;

  constructor(options: SigningKeyOptions = {}) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = pair.publicKey;
    this.privateKey = pair.privateKey;
    const spki = this.publicKey.export({ type: 'spki', format: 'der' });
    this.kid = options.kid ?? createHash('sha1').update(spki).digest('hex');
    this.notBefore = (options.now ?? Date.now()) - DAY_MS;
  }

  /** A compact JWS: header `{alg: 'RS256', kid, typ: 'JWT'}`, then the claims. */
  signJwt(claims: Readonly<Record<string, unknown>>): string {
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const input = `${base64UrlJson(header)}.${base64UrlJson(claims)}`;
    const signature = sign('sha256', Buffer.from(input), this.privateKey);
    return `${input}.${signature.toString('base64url')}`;
  }

  jwk(): SimJwk {
    const { n, e } = this.publicKey.export({ format: 'jwk' });
    if (!n || !e) throw new Error('RSA public key without modulus or exponent');
    return { kid: this.kid, kty: 'RSA', alg: 'RS256', use: 'sig', n, e };
  }

  /** The self-signed certificate `/oauth2/v1/certs` publishes under the key id. */
  certificatePem(): string {
    this.certificate ??= selfSignedCertificatePem(this.publicKey, this.privateKey, {
      commonName: 'federated-signon.system.gserviceaccount.com',
      notBefore: this.notBefore,
      notAfter: this.notBefore + 16 * DAY_MS,
    });
    return this.certificate;
  }
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
