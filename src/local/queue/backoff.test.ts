import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';

const options = (random: number) => ({ minMs: 1_000, maxMs: 60_000, random: () => random });

describe('backoffMs', () => {
  it('waits at least the minimum, even with the lowest jitter', () => {
    for (const attempt of [1, 2, 5, 20]) expect(backoffMs(attempt, options(0))).toBe(1_000);
  });

  it('doubles its ceiling with every attempt until the maximum', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 30].map((n) => backoffMs(n, options(1)));
    expect(ceilings).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('spreads retries between the minimum and the ceiling', () => {
    expect(backoffMs(3, options(0.25))).toBe(1_000 + 0.25 * 7_000);
  });

  it('stays finite for absurd attempt counts', () => {
    expect(backoffMs(10_000, options(0.5))).toBe(30_500);
  });
});
