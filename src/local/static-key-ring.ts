import { hkdfSync } from 'node:crypto';
import { z } from 'zod';
import type { DataKey, KeyRing } from '../domain/ports.js';

const key32 = z.string().refine((value) => Buffer.from(value, 'base64').length === 32, {
  message: 'must be 32 bytes, base64',
});

/** The key ring document: the local key file, and the Secret Manager secret's payload in gcp mode. */
const keyRingSchema = z
  .object({
    version: z.literal(1),
    current: z.string().min(1),
    keys: z.record(z.string(), key32),
    macRoot: key32,
  })
  .refine((doc) => doc.current in doc.keys, { message: 'the current key is not among the keys' });

export type KeyRingDocument = z.infer<typeof keyRingSchema>;

export function parseKeyRing(text: string, source: string): KeyRingDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`key ring ${source} is not JSON`);
  }
  const parsed = keyRingSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`key ring ${source} is invalid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** A KeyRing over a parsed document, held in memory. */
export class StaticKeyRing implements KeyRing {
  private readonly keys: Map<string, DataKey>;
  private readonly currentId: string;
  private readonly macRoot: Buffer;

  constructor(document: KeyRingDocument) {
    this.keys = new Map(
      Object.entries(document.keys).map(([id, key]) => [
        id,
        { id, key: Buffer.from(key, 'base64') },
      ]),
    );
    this.currentId = document.current;
    this.macRoot = Buffer.from(document.macRoot, 'base64');
  }

  async current(): Promise<DataKey> {
    return this.keys.get(this.currentId)!;
  }

  async byId(keyId: string): Promise<DataKey | undefined> {
    return this.keys.get(keyId);
  }

  async macKey(purpose: 'email-hash' | 'session'): Promise<Buffer> {
    return Buffer.from(
      hkdfSync('sha256', this.macRoot, Buffer.alloc(0), `clean-that-up/${purpose}`, 32),
    );
  }
}
