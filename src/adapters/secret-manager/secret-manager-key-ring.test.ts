import { randomBytes } from 'node:crypto';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type SecretManagerFake,
  startSecretManagerFake,
} from '../../../test/helpers/secret-manager-fake.js';
import { emailHash, open, seal } from '../../domain/sealing.js';
import {
  rotateKeyRingSecret,
  SecretManagerKeyRing,
  secretVersionName,
} from './secret-manager-key-ring.js';

const SECRET = 'projects/demo-project/secrets/key-ring';

function aKeyRingDocument(keyId = 'k-first') {
  return JSON.stringify({
    version: 1,
    current: keyId,
    keys: { [keyId]: randomBytes(32).toString('base64') },
    macRoot: randomBytes(32).toString('base64'),
  });
}

describe('SecretManagerKeyRing against a local Secret Manager', () => {
  let fake: SecretManagerFake;
  let client: SecretManagerServiceClient;
  let secret: string;
  let sequence = 0;

  beforeAll(async () => {
    fake = await startSecretManagerFake();
    client = fake.client();
  });
  afterAll(async () => {
    await client?.close();
    await fake?.close();
  });
  beforeEach(() => {
    secret = `${SECRET}-${++sequence}`;
    fake.addVersion(secret, aKeyRingDocument());
    fake.accesses.length = 0;
  });

  const ringFor = (options: { now?: () => number } = {}) =>
    new SecretManagerKeyRing({
      client,
      version: `${secret}/versions/latest`,
      ...(options.now ? { clock: { now: options.now } } : {}),
    });

  it('reads the latest version once and keeps it', async () => {
    const ring = ringFor();
    await Promise.all([ring.current(), ring.macKey('session'), ring.byId('k-first')]);
    await ring.current();
    expect((await ring.current()).id).toBe('k-first');
    expect(fake.accesses).toEqual([`${secret}/versions/latest`]);
  });

  it('keeps older ciphertexts readable after a rotation, and seals new ones with the new key', async () => {
    const before = ringFor();
    const sealed = await seal(before, 'refresh-token', 'user-1');
    const hash = await emailHash(before, 'Someone@Example.com');

    const newKey = await rotateKeyRingSecret(client, secret);

    const after = ringFor();
    expect((await after.current()).id).toBe(newKey);
    expect(await open(after, sealed, 'user-1')).toBe('refresh-token');
    expect(await emailHash(after, 'someone@example.com')).toBe(hash);
    const resealed = await seal(after, 'refresh-token', 'user-1');
    expect(resealed.split('.')[1]).toBe(newKey);
  });

  it('reads the secret again when another instance sealed with a key it does not know yet', async () => {
    const stale = ringFor();
    await stale.current();
    await rotateKeyRingSecret(client, secret);
    const sealed = await seal(ringFor(), 'openai-key', 'user-2');

    expect(await open(stale, sealed, 'user-2')).toBe('openai-key');
    expect(fake.accesses.filter((name) => name.endsWith('/latest'))).toHaveLength(4);
  });

  it('reads again for an unknown key id at most once a minute', async () => {
    let now = 1_000_000;
    const ring = ringFor({ now: () => now });
    await ring.current();
    expect(await ring.byId('nobody')).toBeUndefined();
    expect(await ring.byId('nobody')).toBeUndefined();
    expect(fake.accesses).toHaveLength(2);
    now += 61_000;
    await ring.byId('nobody');
    expect(fake.accesses).toHaveLength(3);
  });

  it('fails with the secret name when the secret does not exist', async () => {
    const ring = new SecretManagerKeyRing({ client, version: `${SECRET}-missing/versions/latest` });
    await expect(ring.load()).rejects.toThrow(/key-ring-missing\/versions\/latest cannot be read/);
  });

  it('fails when the payload is not a key ring, and tries again on the next call', async () => {
    fake.addVersion(secret, '{"version":1}');
    const ring = ringFor();
    await expect(ring.load()).rejects.toThrow(/key ring in Secret Manager secret .* is invalid/);
    fake.addVersion(secret, aKeyRingDocument('k-fixed'));
    expect((await ring.current()).id).toBe('k-fixed');
  });

  it('refuses a payload whose checksum does not match', async () => {
    fake.corruptChecksums();
    await expect(ringFor().load()).rejects.toThrow(/CRC32C mismatch/);
  });
});

describe('secretVersionName', () => {
  it('reads the latest version of a secret given by id or by name, or the version given', () => {
    expect(secretVersionName('p', 'keys')).toBe('projects/p/secrets/keys/versions/latest');
    expect(secretVersionName('p', 'projects/q/secrets/keys')).toBe(
      'projects/q/secrets/keys/versions/latest',
    );
    expect(secretVersionName('p', 'projects/q/secrets/keys/versions/3')).toBe(
      'projects/q/secrets/keys/versions/3',
    );
  });
});
