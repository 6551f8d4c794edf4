import { describe, expect, it } from 'vitest';
import { eachAtMost } from './each-at-most.js';

describe('eachAtMost', () => {
  it('does every item with no more than the limit under way at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await eachAtMost([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(n);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it('throws the first failure and starts nothing more after it', async () => {
    const started: number[] = [];
    const attempt = eachAtMost([1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('two failed');
    });
    await expect(attempt).rejects.toThrow('two failed');
    expect(started).toEqual([1, 2]);
  });
});
