import { beforeAll, describe, expect, it } from 'vitest';
import {
  type GeneratedMailbox,
  generateMailbox,
  makeIncomingMessage,
} from './mailbox-generator.js';
import { Random } from './random.js';
import type { SimMessage } from './sim-types.js';

const OWNER = 'owner@example.com';
const NOW = Date.UTC(2026, 2, 1, 12);
const YEAR = 365.25 * 86_400_000;
const EXAMPLE_DOMAIN = /^([a-z0-9-]+\.)*(example|example\.com|example\.net|example\.org)$/;

const generate = (size: number, seed = 1) =>
  generateMailbox({ seed, size, ownerEmail: OWNER, now: NOW });
const has = (label: string) => (m: SimMessage) => m.labelIds.includes(label);
const share = (messages: readonly SimMessage[], test: (m: SimMessage) => boolean) =>
  messages.filter(test).length / messages.length;
const isPerson = (m: SimMessage) => has('CATEGORY_PERSONAL')(m) || has('CHAT')(m);

function countBySender(messages: readonly SimMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.from.address, (counts.get(m.from.address) ?? 0) + 1);
  return counts;
}

function topTenPercentShare(messages: readonly SimMessage[]): number {
  const counts = [...countBySender(messages).values()].sort((a, b) => b - a);
  const top = counts.slice(0, Math.ceil(counts.length / 10));
  return top.reduce((sum, c) => sum + c, 0) / messages.length;
}

describe('generateMailbox', () => {
  let mailbox: GeneratedMailbox;
  let messages: SimMessage[];
  beforeAll(() => {
    mailbox = generate(5000);
    messages = mailbox.messages;
  });

  it('generates the same mailbox for the same seed and another for another seed', () => {
    expect(generate(1000, 7)).toEqual(generate(1000, 7));
    expect(generate(1000, 8).messages[0]).not.toEqual(generate(1000, 7).messages[0]);
  });

  it.each([100, 5000])('generates exactly %i messages', (size) => {
    expect(generate(size).messages).toHaveLength(size);
  });

  it('returns messages newest first with unique 16-hex ids that grow with the date', () => {
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    for (const m of messages) expect(m.id).toMatch(/^[0-9a-f]{16}$/);
    for (let i = 1; i < messages.length; i++) {
      const [newer, older] = [messages[i - 1]!, messages[i]!];
      expect(newer.internalDate).toBeGreaterThanOrEqual(older.internalDate);
      expect(newer.id > older.id).toBe(true);
    }
  });

  it('lets a few bulk senders carry most of the mail', () => {
    expect(topTenPercentShare(messages)).toBeGreaterThan(0.6);
    const automated = share(messages, (m) => !isPerson(m) && m.from.address !== OWNER);
    expect(automated).toBeGreaterThan(0.7);
    expect(automated).toBeLessThan(0.85);
  });

  it('has a long tail of people who wrote only a few messages each', () => {
    const people = [...countBySender(messages.filter(isPerson)).values()];
    expect(people.length).toBeGreaterThan(100);
    expect(people.filter((c) => c <= 3).length / people.length).toBeGreaterThan(0.5);
  });

  it('has mixed senders whose promotions and important mail share one address', () => {
    const promoting = new Set(messages.filter(has('CATEGORY_PROMOTIONS')).map((m) => m.from));
    const mixed = messages.filter(
      (m) => promoting.has(m.from) && has('CATEGORY_UPDATES')(m) && has('IMPORTANT')(m),
    );
    expect(mixed.length).toBeGreaterThan(0);
    expect(mixed.every((m) => m.from.bulk && m.from.listId)).toBe(true);
  });

  it('scales the number of senders with the mailbox size', () => {
    const senders = (size: number) => countBySender(generate(size).messages).size;
    expect(senders(100)).toBeLessThan(senders(1000));
    expect(senders(1000)).toBeLessThan(countBySender(messages).size);
  });

  it('gives bulk senders a list id and people none', () => {
    for (const m of messages) {
      if (m.from.bulk) expect(m.from.listId).toMatch(/^<[a-z0-9.-]+\.example(\.org)?>$/);
      if (isPerson(m)) expect([m.from.bulk, m.from.listId]).toEqual([false, undefined]);
    }
  });

  it.each([
    ['INBOX', 0.65, 0.9],
    ['UNREAD', 0.35, 0.65],
    ['IMPORTANT', 0.1, 0.3],
    ['STARRED', 0.005, 0.03],
    ['SENT', 0.05, 0.1],
    ['DRAFT', 0.001, 0.01],
    ['CHAT', 0.002, 0.02],
    ['SPAM', 0.002, 0.02],
    ['CATEGORY_PERSONAL', 0.07, 0.2],
  ])('puts %s on a realistic share of messages (%f to %f)', (label, min, max) => {
    const labelShare = share(messages, has(label));
    expect(labelShare).toBeGreaterThanOrEqual(min);
    expect(labelShare).toBeLessThanOrEqual(max);
  });

  it('files most mail under the bulk categories, each of which appears', () => {
    const bulk = ['CATEGORY_PROMOTIONS', 'CATEGORY_SOCIAL', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS'];
    const bulkShare = share(messages, (m) => bulk.some((label) => has(label)(m)));
    expect(bulkShare).toBeGreaterThan(0.6);
    expect(bulkShare).toBeLessThan(0.85);
    for (const label of bulk) expect(messages.some(has(label))).toBe(true);
  });

  it('puts user labels on about 5% of messages and attachments on 3 to 5%', () => {
    const labelled = share(messages, (m) => m.labelIds.some((id) => id.startsWith('Label_')));
    expect(labelled).toBeGreaterThan(0.025);
    expect(labelled).toBeLessThan(0.08);
    const attached = share(messages, (m) => m.attachments.length > 0);
    expect(attached).toBeGreaterThan(0.025);
    expect(attached).toBeLessThan(0.06);
  });

  it('creates 5 to 10 user labels that messages refer to', () => {
    const { userLabels } = mailbox;
    expect(userLabels.length).toBeGreaterThanOrEqual(5);
    expect(userLabels.length).toBeLessThanOrEqual(10);
    expect(userLabels.map((l) => l.id)).toEqual(userLabels.map((_, i) => `Label_${i + 1}`));
    expect(userLabels.map((l) => l.name)).toEqual(
      expect.arrayContaining(['Receipts', 'Travel', 'Family/Kids', 'Taxes 2025']),
    );
    const ids = new Set(userLabels.map((l) => l.id));
    const used = messages.flatMap((m) => m.labelIds.filter((id) => id.startsWith('Label_')));
    expect(used.every((id) => ids.has(id))).toBe(true);
  });

  it('keeps drafts, chats and spam out of the inbox and nothing in the trash', () => {
    for (const m of messages) {
      if (has('DRAFT')(m)) expect(m.labelIds).toEqual(['DRAFT']);
      if (has('SPAM')(m) || has('CHAT')(m)) expect(m.labelIds).not.toContain('INBOX');
      expect(m.labelIds).not.toContain('TRASH');
      expect(m.historyId).toBe(1);
    }
  });

  it('files each received message under exactly one category', () => {
    const received = messages.filter(
      (m) => m.from.address !== OWNER && !has('SPAM')(m) && !has('CHAT')(m),
    );
    for (const m of received) {
      expect(m.labelIds.filter((id) => id.startsWith('CATEGORY_'))).toHaveLength(1);
    }
  });

  it('sends the owner’s mail from the owner to someone else', () => {
    const sent = messages.filter(has('SENT'));
    expect(sent.length).toBeGreaterThan(0);
    for (const m of sent) {
      expect(m.from.address).toBe(OWNER);
      expect(m.to.length).toBeGreaterThan(0);
      expect(m.to).not.toContain(OWNER);
    }
    const fromOwner = messages.filter((m) => m.from.address === OWNER);
    expect(fromOwner.every((m) => has('SENT')(m) || has('DRAFT')(m))).toBe(true);
  });

  it('threads replies with their original: same threadId, inReplyTo set, later date', () => {
    const byHeader = new Map(messages.map((m) => [m.messageIdHeader, m]));
    const byId = new Map(messages.map((m) => [m.id, m]));
    const replies = messages.filter((m) => m.inReplyTo !== undefined);
    expect(replies.length).toBeGreaterThan(messages.length * 0.05);
    for (const reply of replies) {
      const original = byHeader.get(reply.inReplyTo!)!;
      expect(original.threadId).toBe(reply.threadId);
      expect(original.internalDate).toBeLessThan(reply.internalDate);
    }
    for (const m of messages) {
      const first = byId.get(m.threadId)!;
      expect(first.threadId).toBe(first.id);
      expect(first.inReplyTo).toBeUndefined();
    }
    const ownerReplies = replies.filter(
      (m) => has('SENT')(m) && isPerson(byHeader.get(m.inReplyTo!)!),
    );
    expect(ownerReplies.length).toBeGreaterThan(0);
  });

  it('uses only example domains for every address, list id and message id', () => {
    const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);
    for (const m of messages) {
      for (const address of [m.from.address, ...m.to]) {
        if (address !== OWNER) expect(domainOf(address)).toMatch(EXAMPLE_DOMAIN);
      }
      expect(domainOf(m.messageIdHeader).slice(0, -1)).toMatch(EXAMPLE_DOMAIN);
    }
  });

  it('dates mail within the last two years, recent mail denser', () => {
    const ages = messages.map((m) => NOW - m.internalDate);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ages)).toBeLessThanOrEqual(2 * YEAR);
    const recentYear = ages.filter((age) => age < YEAR).length;
    expect(recentYear / ages.length).toBeGreaterThan(0.55);
  });

  it('sizes mail mostly at 5 to 80 KB, with attachments at 200 KB to 15 MB', () => {
    const plain = messages.filter((m) => m.attachments.length === 0).map((m) => m.sizeEstimate);
    const inRange = plain.filter((size) => size >= 5 * 1024 && size <= 80 * 1024).length;
    expect(inRange / plain.length).toBeGreaterThan(0.7);
    for (const m of messages.filter((m) => m.attachments.length > 0)) {
      expect(m.sizeEstimate).toBeGreaterThan(200 * 1024);
      expect(m.sizeEstimate).toBeLessThan(16 * 1024 * 1024);
      for (const name of m.attachments) expect(name).toMatch(/^[\w-]+\.(pdf|jpg|HEIC|docx|zip)$/);
    }
  });
});

describe('a 200,000-message mailbox', () => {
  let messages: SimMessage[];
  beforeAll(() => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    messages = generate(200_000, 42).messages;
    const ms = Math.round(performance.now() - started);
    const heapMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6);
    console.log(`generated 200,000 messages in ${ms} ms; heap grew by ${heapMb} MB`);
    expect(heapMb).toBeLessThan(600);
  });

  it('has exactly 200,000 messages with unique ids', () => {
    expect(messages).toHaveLength(200_000);
    expect(new Set(messages.map((m) => m.id)).size).toBe(200_000);
  });

  it('has 60 to 150 list senders and hundreds of people', () => {
    const senders = [...new Set(messages.map((m) => m.from))];
    const lists = senders.filter((s) => s.bulk).length;
    expect(lists).toBeGreaterThanOrEqual(60);
    expect(lists).toBeLessThanOrEqual(150);
    expect(new Set(messages.filter(isPerson).map((m) => m.from)).size).toBeGreaterThan(500);
    expect(topTenPercentShare(messages)).toBeGreaterThan(0.6);
  });

  it('shares sender objects between messages', () => {
    expect(new Set(messages.map((m) => m.from)).size).toBeLessThan(5000);
  });

  it('has bulk threads the owner replied to', () => {
    const byHeader = new Map(messages.map((m) => [m.messageIdHeader, m]));
    const supportReplies = messages.filter(
      (m) => has('SENT')(m) && m.inReplyTo && byHeader.get(m.inReplyTo)?.from.bulk,
    );
    expect(supportReplies.length).toBeGreaterThan(0);
  });
});

describe('makeIncomingMessage', () => {
  const later = NOW + 60_000;

  it('makes a bulk message dated now, unread in the inbox, newer than the mailbox', () => {
    const newest = generate(100).messages[0]!;
    const message = makeIncomingMessage(new Random(1), OWNER, later, 'bulk');
    expect(message.internalDate).toBe(later);
    expect(message.id > newest.id).toBe(true);
    expect(message.threadId).toBe(message.id);
    expect(message.labelIds).toEqual(expect.arrayContaining(['INBOX', 'UNREAD']));
    expect(message.to).toEqual([OWNER]);
    expect(message.from.address).not.toBe(OWNER);
  });

  it('makes a personal message from a person, with no list id', () => {
    const message = makeIncomingMessage(new Random(2), OWNER, later, 'personal');
    expect(message.labelIds).toEqual(expect.arrayContaining(['INBOX', 'CATEGORY_PERSONAL']));
    expect([message.from.bulk, message.from.listId]).toEqual([false, undefined]);
  });

  it('joins an existing thread and a known sender when asked', () => {
    const original = generate(100).messages.find((m) => m.from.bulk)!;
    const message = makeIncomingMessage(new Random(3), OWNER, later, 'bulk', {
      threadId: original.threadId,
      inReplyTo: original.messageIdHeader,
      from: original.from,
    });
    expect(message.threadId).toBe(original.threadId);
    expect(message.inReplyTo).toBe(original.messageIdHeader);
    expect(message.from).toBe(original.from);
  });

  it('is deterministic for a seeded generator', () => {
    const make = () => makeIncomingMessage(new Random(4), OWNER, later, 'personal');
    expect(make()).toEqual(make());
  });
});
