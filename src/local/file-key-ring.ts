import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataKey, KeyRing } from '../domain/ports.js';
import { type KeyRingDocument, parseKeyRing, StaticKeyRing } from './static-key-ring.js';

/**
 * Local mode's KeyRing: a JSON key file in DATA_DIR, created on first start with 0600
 * permissions. `rotate()` adds a new current key and keeps the old ones for opening.
 */
export class FileKeyRing implements KeyRing {
  private ring: StaticKeyRing;

  private constructor(
    private readonly file: string,
    private document: KeyRingDocument,
  ) {
    this.ring = new StaticKeyRing(document);
  }

  static open(file: string): FileKeyRing {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const id = newKeyId();
      writeSecretFile(file, {
        version: 1,
        current: id,
        keys: { [id]: randomBytes(32).toString('base64') },
        macRoot: randomBytes(32).toString('base64'),
      });
    }
    return new FileKeyRing(file, parseKeyRing(readFileSync(file, 'utf8'), file));
  }

  current(): Promise<DataKey> {
    return this.ring.current();
  }

  byId(keyId: string): Promise<DataKey | undefined> {
    return this.ring.byId(keyId);
  }

  macKey(purpose: 'email-hash' | 'session'): Promise<Buffer> {
    return this.ring.macKey(purpose);
  }

  /** Makes a new key current; ciphertexts sealed with older keys stay readable. */
  rotate(): string {
    const id = newKeyId();
    this.document = {
      ...this.document,
      current: id,
      keys: { ...this.document.keys, [id]: randomBytes(32).toString('base64') },
    };
    writeSecretFile(this.file, this.document);
    this.ring = new StaticKeyRing(this.document);
    return id;
  }
}

function newKeyId(): string {
  return `k${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

function writeSecretFile(file: string, document: KeyRingDocument): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}
