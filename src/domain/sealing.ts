import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Sealed } from './model.js';
import type { KeyRing } from './ports.js';

/**
 * AES-256-GCM for secrets at rest (refresh tokens, OpenAI keys). The key id travels with the
 * ciphertext, so rotating the current key leaves older ciphertexts readable.
 */

const VERSION = 'v1';

export async function seal(keyRing: KeyRing, plaintext: string, context: string): Promise<Sealed> {
  const { id, key } = await keyRing.current();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The context (e.g. the user id) is authenticated: a ciphertext moved to another user fails.
  cipher.setAAD(Buffer.from(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return [VERSION, id, ...parts].join('.');
}

export class SealError extends Error {
  override readonly name = 'SealError';
}

export async function open(keyRing: KeyRing, sealed: Sealed, context: string): Promise<string> {
  const [version, keyId, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !keyId || !iv || !tag || data === undefined) {
    throw new SealError('not a sealed value');
  }
  const key = await keyRing.byId(keyId);
  if (!key) throw new SealError(`unknown key ${keyId}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new SealError('sealed value does not authenticate');
  }
}

/** HMAC-SHA256 of the lowercased address: push notifications are matched without storing it. */
export async function emailHash(keyRing: KeyRing, address: string): Promise<string> {
  const pepper = await keyRing.macKey('email-hash');
  return createHmac('sha256', pepper).update(address.trim().toLowerCase()).digest('base64url');
}
