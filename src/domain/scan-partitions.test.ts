import { describe, expect, it } from 'vitest';
import { matchesQuery, parseQuery } from '../local/google/gmail-search.js';
import { generateMailbox } from '../local/google/mailbox-generator.js';
import { SimAccount } from '../local/google/sim-account.js';
import { keepListQuery, oldBefore, scanPartitions } from './scan-partitions.js';

const NOW = Date.UTC(2026, 10, 21, 12);

describe('scanPartitions', () => {
  it('puts every message outside Spam and Trash in exactly one part (5,000 generated messages)', () => {
    const mailbox = generateMailbox({
      seed: 8,
      size: 5_000,
      ownerEmail: 'me@example.com',
      now: NOW,
    });
    const account = new SimAccount('me@example.com', '1', mailbox);
    const ctx = account.searchContext(NOW);
    const parts = scanPartitions({
      keepSenders: ['@bank.example', 'friend@example.net'],
      startedAt: NOW + 1000,
      minAgeDays: 30,
    });
    const queries = parts.map((p) => ({ part: p, node: parseQuery(p.query) }));
    let covered = 0;
    for (const message of account.messagesAfter(undefined)) {
      if (message.labelIds.includes('SPAM') || message.labelIds.includes('TRASH')) continue;
      const hits = queries.filter((q) => matchesQuery(q.node, message, ctx));
      expect(hits.map((h) => h.part.key)).toHaveLength(1);
      const facts = hits[0]!.part.facts;
      if (facts.protectedBy === null) {
        expect(message.labelIds.includes('IMPORTANT')).toBe(facts.important);
        expect(message.internalDate < oldBefore(NOW + 1000, 30) * 1000).toBe(facts.old);
      }
      covered++;
    }
    expect(covered).toBeGreaterThan(4_500);
  });

  it('bounds no part by the run’s start: mail newer than the service’s clock is covered too', () => {
    const parts = scanPartitions({ keepSenders: ['a@x.example'], startedAt: NOW, minAgeDays: 30 });
    const old = `before:${oldBefore(NOW, 30)}`;
    for (const part of parts) {
      const dates = part.query.match(/before:\d+/g) ?? [];
      expect(dates.every((d) => d === old)).toBe(true);
    }
  });

  it('quotes keep-list addresses a bare search word would split, and falls back to their domain', () => {
    expect(
      keepListQuery([
        "o'brien@shop.example",
        'josé@café.example',
        '"odd"@quote.example',
        'a@b.example',
      ]),
    ).toBe(
      '{from:"o\'brien@shop.example" from:"josé@café.example" from:quote.example from:a@b.example}',
    );
  });

  it('quotes nothing it cannot trust from the keep-list into a query', () => {
    const parts = scanPartitions({
      keepSenders: ['ok@x.example', 'bad) OR (x', ''],
      startedAt: NOW,
      minAgeDays: 30,
    });
    const kept = parts.find((p) => p.key === 'protected:kept');
    expect(kept?.query).toContain('from:ok@x.example');
    expect(parts.some((p) => p.query.includes('bad)'))).toBe(false);
  });
});
