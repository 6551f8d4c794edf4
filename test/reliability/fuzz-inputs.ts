import type { Random } from '../../src/local/google/random.js';

/** Seeded generators of hostile input: random bytes, random JSON, and valid shapes spoiled. */

const KEYS = [
  'message',
  'data',
  'messageId',
  'publishTime',
  'attributes',
  'subscription',
  'deliveryAttempt',
  'runId',
  'batchNo',
  'userId',
  'fromBatch',
  'restored',
  'emailAddress',
  'historyId',
  '__proto__',
  'constructor',
  'prototype',
  '',
  '😀',
  'a'.repeat(300),
];

const STRINGS = [
  '',
  ' ',
  'AAAAAAAAAAAAAAAAAAAAAA',
  '../../etc/passwd',
  '%2e%2e%2f',
  '\u0000',
  '\ud800',
  '😀',
  'İ',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '$' + '{jndi:ldap://x}',
  '1e309',
  '-1',
  '18446744073709551616',
  'x'.repeat(1_000),
];

export function randomString(rng: Random, max = 40): string {
  if (rng.chance(0.4)) return rng.pick(STRINGS);
  let text = '';
  for (let i = rng.int(0, max); i > 0; i--) {
    const roll = rng.next();
    text += String.fromCodePoint(
      roll < 0.7 ? rng.int(32, 126) : roll < 0.9 ? rng.int(0, 0x2fff) : rng.int(0x1f300, 0x1f6ff),
    );
  }
  return text;
}

export function randomJson(rng: Random, depth = 0): unknown {
  const roll = rng.next();
  if (depth > 4 || roll < 0.35) {
    return rng.pick<unknown>([
      null,
      true,
      false,
      0,
      -1,
      1.5,
      2 ** 53 + 1,
      1e308,
      -0,
      rng.int(-1e6, 1e6),
      randomString(rng),
    ]);
  }
  if (roll < 0.6) {
    return Array.from({ length: rng.int(0, 5) }, () => randomJson(rng, depth + 1));
  }
  const object: Record<string, unknown> = {};
  for (let i = rng.int(0, 6); i > 0; i--) {
    object[rng.chance(0.8) ? rng.pick(KEYS) : randomString(rng, 12)] = randomJson(rng, depth + 1);
  }
  return object;
}

export function randomBytesFrom(rng: Random, max = 2_000): Buffer {
  const bytes = Buffer.alloc(rng.int(0, max));
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(0, 255);
  return bytes;
}

/** A copy of `value` with one field, somewhere inside, removed, retyped or replaced. */
export function spoil(rng: Random, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return randomJson(rng);
  const copy: Record<string, unknown> = Array.isArray(value)
    ? { ...value }
    : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const key = keys.length > 0 && rng.chance(0.9) ? rng.pick(keys) : rng.pick(KEYS);
  const roll = rng.next();
  if (roll < 0.25) delete copy[key];
  else if (roll < 0.6 && copy[key] !== null && typeof copy[key] === 'object') {
    copy[key] = spoil(rng, copy[key]);
  } else copy[key] = randomJson(rng);
  return copy;
}

/** A body for a request: bytes, text, JSON, or a valid shape spoiled. */
export function randomBody(rng: Random, valid: () => unknown): string | Buffer {
  const roll = rng.next();
  if (roll < 0.15) return randomBytesFrom(rng);
  if (roll < 0.25) return randomString(rng, 200);
  if (roll < 0.5) return JSON.stringify(randomJson(rng));
  let value = valid();
  for (let i = rng.int(1, 3); i > 0; i--) value = spoil(rng, value);
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * Gmail notification data: base64 of something that may or may not be a notification. A known
 * address only ever comes with a history id at or below `knownUpTo`, so that no case is a real
 * notification of new mail (which would rightly queue a sync).
 */
export function randomNotificationData(
  rng: Random,
  known: readonly string[],
  knownUpTo: number,
): string {
  const roll = rng.next();
  const encoding: BufferEncoding = rng.chance(0.5) ? 'base64' : 'base64url';
  if (roll < 0.2) return randomString(rng, 60);
  if (roll < 0.4) return randomBytesFrom(rng, 300).toString(encoding);
  const isKnown = rng.chance(0.5);
  const notification = isKnown
    ? { emailAddress: rng.pick(known), historyId: rng.int(0, knownUpTo) }
    : {
        emailAddress: rng.chance(0.5) ? 'stranger@example.com' : randomString(rng),
        historyId: rng.chance(0.7) ? rng.int(0, 1e9) : randomJson(rng),
      };
  const value = !isKnown && rng.chance(0.3) ? spoil(rng, notification) : notification;
  return Buffer.from(JSON.stringify(value) ?? '').toString(encoding);
}
