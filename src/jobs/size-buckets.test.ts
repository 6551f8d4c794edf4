import { describe, expect, it } from 'vitest';
import type { Mailbox } from '../domain/ports.js';
import { matchesQuery, parseQuery } from '../local/google/gmail-search.js';
import type { SearchContext, SimMessage } from '../local/google/sim-types.js';
import { listSizeBuckets, rangeEstimate, sizeQuery, withSizes } from './size-buckets.js';

/**
 * A mailbox whose search is the simulated Gmail's own (`larger:`, `smaller:` strict, in bytes),
 * 500 ids a page; it counts the list calls.
 */
function searchable(sizes: readonly number[]) {
  const messages = sizes.map((sizeEstimate, i) => ({
    id: `m${i}`,
    threadId: `t${i}`,
    sizeEstimate,
  }));
  let calls = 0;
  const mailbox = {
    listIds: async ({ q = '', pageToken }: { q?: string; pageToken?: string }) => {
      calls++;
      const node = parseQuery(q);
      const hits = messages.filter((m) =>
        matchesQuery(node, m as unknown as SimMessage, {} as SearchContext),
      );
      const from = Number(pageToken ?? 0);
      const ids = hits.slice(from, from + 500).map(({ id, threadId }) => ({ id, threadId }));
      const next = from + 500 < hits.length ? String(from + 500) : undefined;
      return { ids, nextPageToken: next };
    },
  } as unknown as Mailbox;
  return { mailbox, messages, calls: () => calls };
}

/** Sizes like real mail: mostly a few KB to 80 KB, a few attachments carrying most bytes. */
function skewed(count: number, seed: number): number[] {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  return Array.from({ length: count }, () =>
    next() < 0.05 ? Math.round(200 * 1024 * 75 ** next()) : Math.round(3 * 1024 * 27 ** next()),
  );
}

describe('size buckets', () => {
  it('searches a range with strict larger: and smaller: in plain bytes', () => {
    expect(sizeQuery({ from: 4096, to: 16384 })).toBe('larger:4095 smaller:16384');
    expect(sizeQuery({ from: 0, to: 1024 })).toBe('smaller:1024');
    expect(sizeQuery({ from: 67108864, to: undefined })).toBe('larger:67108863');
  });

  it('counts a range as the mean of sizes spread evenly on a log scale', () => {
    expect(rangeEstimate({ from: 1000, to: 4000 })).toBe(Math.round(3000 / Math.log(4)));
    expect(rangeEstimate({ from: 0, to: 1024 })).toBe(512);
  });

  it('places every message, edges included, within 10% of its own size', async () => {
    const sizes = [
      300, 1023, 1024, 1025, 4095, 4096, 5000, 65_536, 1_000_000, 40_000_000, 70_000_000,
    ];
    const { mailbox, messages } = searchable(sizes);
    const found = await listSizeBuckets(mailbox);
    expect(found.size).toBe(sizes.length);
    for (const m of messages) {
      if (m.sizeEstimate < 1024 || m.sizeEstimate >= 64 * 1024 * 1024) continue;
      const error = Math.abs(found.get(m.id)! - m.sizeEstimate) / m.sizeEstimate;
      expect(error, `size ${m.sizeEstimate}`).toBeLessThan(0.1);
    }
  });

  it.each([1, 2, 3])(
    'totals skewed mail within 5 percent of its real bytes (seed %i)',
    async (seed) => {
      const sizes = skewed(3000, seed);
      const { mailbox, messages, calls } = searchable(sizes);
      const found = await listSizeBuckets(mailbox);
      const real = sizes.reduce((n, s) => n + s, 0);
      const estimated = messages.reduce((n, m) => n + found.get(m.id)!, 0);
      expect(Math.abs(estimated - real) / real).toBeLessThan(0.05);
      // Eleven coarse listings, seven more per non-empty one, twenty to refine, and a page
      // per 500 ids listed twice.
      expect(calls()).toBeLessThanOrEqual(11 + 7 * 9 + 20 + 2 * Math.ceil(3000 / 500));
    },
  );

  it.each([
    ['identical notifications', Array.from({ length: 400 }, () => 10_000)],
    ['made-up small sizes', Array.from({ length: 300 }, (_, i) => 100 + (i % 3) * 7)],
    ['a few huge attachments', [17, 20, 23, 26, 29].map((mb) => mb * 1024 * 1024)],
  ])('pins down the bytes of %s to within 1 percent', async (_, sizes) => {
    const { mailbox, messages, calls } = searchable([...sizes, ...skewed(200, 4)]);
    const found = await listSizeBuckets(mailbox);
    const real = messages.reduce((n, m) => n + m.sizeEstimate, 0);
    const estimated = messages.reduce((n, m) => n + found.get(m.id)!, 0);
    expect(Math.abs(estimated - real) / real).toBeLessThan(0.01);
    expect(calls()).toBeLessThanOrEqual(11 + 7 * 9 + 20);
  });

  it('attaches sizes to plans decided unread and leaves read plans alone', () => {
    const sizes = new Map([['a', 5000]]);
    const chunk = [
      { id: 'a', threadId: 'ta' },
      { id: 'b', threadId: 'tb' },
    ];
    const facts = { protectedBy: null, category: null, important: null, old: null };
    const known = withSizes(
      () => ({ kind: 'known', facts, threadIds: ['ta', 'tb'], action: 'trash', reason: 'r' }),
      sizes,
    )(chunk);
    expect(known).toMatchObject({ sizes: [5000, 0] });
    expect(withSizes(() => ({ kind: 'read' }), sizes)(chunk)).toEqual({ kind: 'read' });
  });
});
