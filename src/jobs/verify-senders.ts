import { CATEGORY_LABELS } from '../domain/known-senders.js';
import type { Mailbox } from '../domain/ports.js';

/**
 * Whether mail a `from:` search attributed to a disposable sender needs its From checked before
 * it goes to Trash unread. The search is made within one Gmail category: a look-alike Gmail
 * sorted into Promotions, Social, Updates or Forums is bulk mail that names the sender (a list
 * or group relaying it) and goes with the sender's own, for no read; one in Primary may be a
 * person's, and is checked. Checking every attribution would cost a read (20 units) for each
 * message that goes to Trash, which is what attributing by search is there to avoid.
 */
export function fromCheckNeeded(category: string | null): boolean {
  return category === null || !BULK_CATEGORIES.has(category);
}

/** Gmail's bulk categories: every searchable one but Primary. */
const BULK_CATEGORIES: ReadonlySet<string> = new Set(
  Object.keys(CATEGORY_LABELS).filter((category) => category !== 'primary'),
);

/**
 * Gmail's `from:` also matches the words of a display name ("'deals@shop.example' via Team"
 * is found by `from:deals@shop.example`), and no search operator tells the two apart. Mail a
 * search attributed to a sender decided disposable, and that would go to Trash unread, is
 * therefore checked against its own From header first (one metadata read each, 20 units).
 * Returns the ids whose From address is the sender they were attributed to; the others (a
 * look-alike, or a message gone since) are left to be read and decided on their own.
 */
export async function verifiedSenders(
  mailbox: Mailbox,
  attributed: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<Set<string>> {
  const verified = new Set<string>();
  if (attributed.size === 0) return verified;
  const read = await mailbox.getMetadata([...attributed.keys()]);
  for (const [id, senders] of attributed) {
    const from = read.get(id)?.fromAddress.trim().toLowerCase();
    if (from && senders.has(from)) verified.add(id);
  }
  return verified;
}
