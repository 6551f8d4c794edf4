import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emailHash, open, seal } from '../domain/sealing.js';
import { FileKeyRing } from './file-key-ring.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'ctu-keys-')), 'nested', 'keys.json');

describe('FileKeyRing', () => {
  it('creates the key file on first open with 0600 permissions', () => {
    const file = tempFile();
    FileKeyRing.open(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).keys)).toHaveLength(1);
  });

  it('seals and opens a secret, also after reopening the file', async () => {
    const file = tempFile();
    const sealed = await seal(FileKeyRing.open(file), '1//refresh-token', 'user-1');
    expect(sealed).not.toContain('refresh-token');
    expect(await open(FileKeyRing.open(file), sealed, 'user-1')).toBe('1//refresh-token');
  });

  it('refuses a ciphertext moved to another user or tampered with', async () => {
    const ring = FileKeyRing.open(tempFile());
    const sealed = await seal(ring, 'sk-secret', 'user-1');
    await expect(open(ring, sealed, 'user-2')).rejects.toThrow('does not authenticate');
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    await expect(open(ring, tampered, 'user-1')).rejects.toThrow();
    await expect(open(ring, 'garbage', 'user-1')).rejects.toThrow('not a sealed value');
  });

  it('keeps old ciphertexts readable after rotation and seals with the new key', async () => {
    const ring = FileKeyRing.open(tempFile());
    const before = await seal(ring, 'old', 'u');
    const newId = ring.rotate();
    const after = await seal(ring, 'new', 'u');
    expect(after.split('.')[1]).toBe(newId);
    expect(await open(ring, before, 'u')).toBe('old');
    expect(await open(ring, after, 'u')).toBe('new');
  });

  it('hashes addresses case-insensitively and stably across rotation', async () => {
    const ring = FileKeyRing.open(tempFile());
    const hash = await emailHash(ring, 'Someone@Example.com');
    expect(hash).toBe(await emailHash(ring, 'someone@example.com '));
    ring.rotate();
    expect(await emailHash(ring, 'someone@example.com')).toBe(hash);
    expect(hash).not.toContain('example');
  });
});
