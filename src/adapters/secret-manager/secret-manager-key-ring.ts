import { randomBytes } from 'node:crypto';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { Clock, DataKey, KeyRing } from '../../domain/ports.js';
import { type KeyRingDocument, parseKeyRing, StaticKeyRing } from '../../local/static-key-ring.js';
import { crc32c } from './crc32c.js';

/** The calls this adapter makes; a SecretManagerServiceClient has them. */
export type SecretVersions = Pick<
  SecretManagerServiceClient,
  'accessSecretVersion' | 'addSecretVersion'
>;

export interface SecretManagerKeyRingOptions {
  readonly client: SecretVersions;
  /** A version name (`projects/P/secrets/S/versions/latest`), see `secretVersionName`. */
  readonly version: string;
  readonly clock?: Clock;
  /** How long after one an unknown key id may cause another read (default 60 s). */
  readonly rereadAfterMs?: number;
}

/**
 * The KeyRing in gcp mode: the key ring document (the local key file's format) is the payload
 * of a Secret Manager secret, read once and kept in memory. Rotation adds a version whose
 * document has a new current key and keeps the old ones, so older ciphertexts stay readable.
 * An instance that meets a key id it does not know (another instance rotated) reads the
 * latest version again, at most once a minute, so forged key ids cannot flood Secret Manager.
 */
export class SecretManagerKeyRing implements KeyRing {
  private ring: Promise<StaticKeyRing> | undefined;
  /** When an unknown key id last caused a read. */
  private rereadAt = Number.NEGATIVE_INFINITY;
  private readonly clock: Clock;

  constructor(private readonly options: SecretManagerKeyRingOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Reads the secret now, so start-up fails fast when it cannot. */
  async load(): Promise<void> {
    await this.current();
  }

  async current(): Promise<DataKey> {
    return (await this.read()).current();
  }

  async byId(keyId: string): Promise<DataKey | undefined> {
    const known = await (await this.read()).byId(keyId);
    const now = this.clock.now();
    if (known || now - this.rereadAt < (this.options.rereadAfterMs ?? 60_000)) return known;
    this.rereadAt = now;
    this.ring = undefined;
    return (await this.read()).byId(keyId);
  }

  async macKey(purpose: 'email-hash' | 'session'): Promise<Buffer> {
    return (await this.read()).macKey(purpose);
  }

  private read(): Promise<StaticKeyRing> {
    this.ring ??= readKeyRing(this.options.client, this.options.version).then(
      (document) => new StaticKeyRing(document),
      (error: unknown) => {
        this.ring = undefined;
        throw error;
      },
    );
    return this.ring;
  }
}

/** `S`, `projects/P/secrets/S` or a full version name, as the version name to read. */
export function secretVersionName(project: string, secret: string): string {
  const name = secret.includes('/') ? secret : `projects/${project}/secrets/${secret}`;
  return /\/versions\/[^/]+$/.test(name) ? name : `${name}/versions/latest`;
}

export async function readKeyRing(
  client: SecretVersions,
  version: string,
): Promise<KeyRingDocument> {
  let payload: { data?: Uint8Array | string | null; dataCrc32c?: unknown } | null | undefined;
  try {
    [{ payload }] = await client.accessSecretVersion({ name: version });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Secret Manager secret ${version} cannot be read: ${reason}`);
  }
  const data = Buffer.from(payload?.data ?? '');
  const expected = payload?.dataCrc32c;
  if (expected !== undefined && expected !== null && Number(String(expected)) !== crc32c(data)) {
    throw new Error(`Secret Manager secret ${version} arrived corrupted (CRC32C mismatch)`);
  }
  return parseKeyRing(data.toString('utf8'), `in Secret Manager secret ${version}`);
}

/**
 * Rotation: adds a version to the secret whose document has a new current key and every old
 * one. Returns the new key id. `secret` is `projects/P/secrets/S`.
 */
export async function rotateKeyRingSecret(client: SecretVersions, secret: string): Promise<string> {
  const document = await readKeyRing(client, `${secret}/versions/latest`);
  const id = `k${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const next: KeyRingDocument = {
    ...document,
    current: id,
    keys: { ...document.keys, [id]: randomBytes(32).toString('base64') },
  };
  const data = Buffer.from(JSON.stringify(next));
  await client.addSecretVersion({ parent: secret, payload: { data, dataCrc32c: crc32c(data) } });
  return id;
}
