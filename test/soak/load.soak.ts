import { describe, expect, it } from 'vitest';
import { runLoad } from '../reliability/load-scenario.js';

describe('a heavier load: 40 users and 10,000 notifications at once', () => {
  it('keeps every user under the Gmail budget without a single 429, and memory bounded', async () => {
    const figures = await runLoad({
      users: 40,
      mailbox: 2_000,
      budget: 600,
      pushes: 10_000,
      arrivals: 10,
      seed: 40_001,
    });
    expect(figures.rssPeakMiB).toBeLessThan(1_536);
  }, 600_000);
});
