import { describe, expect, it } from 'vitest';
import { Random, WeightedTable, zipfWeights } from './random.js';

const draw = (rng: Random, n: number) => Array.from({ length: n }, () => rng.next());

describe('Random', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(draw(new Random(7), 20)).toEqual(draw(new Random(7), 20));
  });

  it('gives a different sequence for a different seed', () => {
    expect(draw(new Random(7), 20)).not.toEqual(draw(new Random(8), 20));
  });

  it('draws floats in [0, 1) that are spread evenly', () => {
    const values = draw(new Random(1), 10_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
  });

  it('draws integers within both bounds and reaches each of them', () => {
    const rng = new Random(2);
    const seen = new Set(Array.from({ length: 1000 }, () => rng.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('picks by weight roughly in proportion', () => {
    const rng = new Random(3);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++) {
      if (
        rng.weighted([
          ['heavy', 3],
          ['light', 1],
        ]) === 'heavy'
      ) {
        heavy++;
      }
    }
    expect(heavy / 10_000).toBeGreaterThan(0.72);
    expect(heavy / 10_000).toBeLessThan(0.78);
  });

  it('puts half of the lognormal draws below the median', () => {
    const rng = new Random(4);
    const values = Array.from({ length: 10_000 }, () => rng.lognormal(50, 0.6));
    const below = values.filter((v) => v < 50).length / values.length;
    expect(below).toBeGreaterThan(0.47);
    expect(below).toBeLessThan(0.53);
  });

  it('shuffles in place without losing items', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    new Random(5).shuffle(items);
    expect([...items].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(items).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('forks an independent, reproducible stream', () => {
    expect(draw(new Random(6).fork(), 5)).toEqual(draw(new Random(6).fork(), 5));
    expect(draw(new Random(6).fork(), 5)).not.toEqual(draw(new Random(6), 5));
  });
});

describe('WeightedTable', () => {
  it('picks the first ranks of a Zipf table most often', () => {
    const rng = new Random(9);
    const ranks = Array.from({ length: 100 }, (_, i) => i);
    const table = new WeightedTable(ranks, zipfWeights(100, 1));
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 20_000; i++) counts[table.pick(rng)]!++;
    // Rank 1 gets 1/H(100) = 19% of picks, rank 2 half that.
    expect(counts[0]! / 20_000).toBeCloseTo(0.19, 1);
    expect(counts[0]! / counts[1]!).toBeGreaterThan(1.7);
    expect(counts[0]! / counts[1]!).toBeLessThan(2.3);
    expect(counts[99]).toBeGreaterThan(0);
  });

  it('refuses a table without items or with mismatched weights', () => {
    expect(() => new WeightedTable([], [])).toThrow(RangeError);
    expect(() => new WeightedTable(['a'], [1, 2])).toThrow(RangeError);
  });
});
