import { type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A minimal DER writer, just enough for a self-signed X.509 certificate. Google's
 * `/oauth2/v1/certs` serves certificates (not bare public keys), and some verifiers insist on
 * them, so the simulator builds real ones with node:crypto alone.
 */

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const lengthBytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) lengthBytes.unshift(n % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | lengthBytes.length, ...lengthBytes]), content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let n = arc >>> 7; n > 0; n >>>= 7) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A non-negative INTEGER from big-endian bytes. */
function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const needsPad = (trimmed[0] ?? 0) & 0x80;
  return tlv(0x02, needsPad ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function utcTime(epochMs: number): Buffer {
  const iso = new Date(epochMs).toISOString(); // 2024-01-02T03:04:05.678Z
  const digits = iso.slice(2, 19).replace(/[-T:]/g, '');
  return tlv(0x17, Buffer.from(`${digits}Z`, 'ascii'));
}

const SHA256_WITH_RSA = sequence(objectId('1.2.840.113549.1.1.11'), nullValue());
const COMMON_NAME = '2.5.4.3';

export interface CertificateOptions {
  readonly commonName: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** A self-signed X.509 (v1) certificate for an RSA key pair, as a PEM string. */
export function selfSignedCertificatePem(
  publicKey: KeyObject,
  privateKey: KeyObject,
  options: CertificateOptions,
): string {
  const name = sequence(set(sequence(objectId(COMMON_NAME), utf8String(options.commonName))));
  const tbs = sequence(
    unsignedInteger(Buffer.concat([Buffer.from([0x01]), randomBytes(8)])),
    SHA256_WITH_RSA,
    name,
    sequence(utcTime(options.notBefore), utcTime(options.notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
