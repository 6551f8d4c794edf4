import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwtClaims, testSigningKey } from './oauth-fixtures.js';

describe('SigningKey', () => {
  const key = testSigningKey();

  it('publishes a self-signed X.509 certificate for its public key', () => {
    const certificate = new X509Certificate(key.certificatePem());
    expect(certificate.subject).toBe('CN=federated-signon.system.gserviceaccount.com');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.verify(key.publicKey)).toBe(true);
    expect(certificate.publicKey.equals(key.publicKey)).toBe(true);
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(Date.now());
  });

  it('uses a 40-hex-digit key id, like Google', () => {
    expect(key.kid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('signs RS256 JWTs that its JWK verifies', () => {
    const jwt = key.signJwt({ sub: '1', iat: 1 });
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    expect(jwtClaims(`x.${header}`)).toEqual({ alg: 'RS256', kid: key.kid, typ: 'JWT' });
    expect(jwtClaims(jwt)).toEqual({ sub: '1', iat: 1 });
    const publicKey = createPublicKey({ key: { ...key.jwk() }, format: 'jwk' });
    const signed = Buffer.from(`${header}.${payload}`);
    expect(verify('sha256', signed, publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(key.jwk()).toMatchObject({
      kid: key.kid,
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      e: 'AQAB',
    });
  });
});
