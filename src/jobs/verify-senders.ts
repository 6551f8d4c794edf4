import type { Mailbox } from '../domain/ports.js';

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
