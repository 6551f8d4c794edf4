import { describe, expect, it } from 'vitest';
import { generateMailbox } from './mailbox-generator.js';
import type { SimMessage } from './sim-types.js';

const OWNER = 'owner@example.com';
const NOW = Date.UTC(2026, 2, 1, 12);

const generate = (size: number, seed = 1, shape: 'long-tail' | 'head-heavy' = 'long-tail') =>
  generateMailbox({ seed, size, ownerEmail: OWNER, now: NOW, shape }).messages;

/** Messages per sender, the owner's own mail left out. */
function perSender(messages: readonly SimMessage[]): number[] {
  const counts = new Map<string, number>();
  for (const m of messages) {
    if (m.from.address === OWNER) continue;
    counts.set(m.from.address, (counts.get(m.from.address) ?? 0) + 1);
  }
  return [...counts.values()];
}

describe('the long-tail mailbox shape', () => {
  const messages = generate(10_000);

  it('generates the same mailbox for the same seed and another for another seed', () => {
    expect(generate(1000, 7)).toEqual(generate(1000, 7));
    expect(generate(1000, 8)[0]).not.toEqual(generate(1000, 7)[0]);
  });

  it('generates exactly the requested number of messages, none in Trash', () => {
    expect(messages).toHaveLength(10_000);
    expect(messages.filter((m) => m.labelIds.includes('TRASH'))).toEqual([]);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  });

  it('has most senders sending fewer than 5 messages, unlike the head-heavy shape', () => {
    const tail = perSender(messages);
    const head = perSender(generate(10_000, 1, 'head-heavy'));
    const small = (counts: number[]) => counts.filter((c) => c < 5).length / counts.length;
    expect(small(tail)).toBeGreaterThan(0.75);
    expect(tail.length).toBeGreaterThan(4 * head.length);
    // The messages of senders with fewer than 5 carry a real share of the mail.
    const inTail = tail.filter((c) => c < 5).reduce((sum, c) => sum + c, 0);
    expect(inTail / messages.length).toBeGreaterThan(0.25);
  });

  it('has a realistic share of Primary mail from people, and the owner answering some', () => {
    const share = (label: string) =>
      messages.filter((m) => m.labelIds.includes(label)).length / messages.length;
    expect(share('CATEGORY_PERSONAL')).toBeGreaterThan(0.12);
    expect(share('CATEGORY_PERSONAL')).toBeLessThan(0.35);
    expect(share('SENT')).toBeGreaterThan(0.04);
    const people = new Set(
      messages.filter((m) => m.labelIds.includes('CATEGORY_PERSONAL')).map((m) => m.from.address),
    );
    expect(people.size).toBeGreaterThan(200);
  });
});
