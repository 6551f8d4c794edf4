import { describe, expect, it } from 'vitest';
import { runLoad } from './load-scenario.js';

describe('many users at once on one process, under a push storm', () => {
  it('keeps every user under the Gmail budget without a single 429, and memory bounded', async () => {
    const figures = await runLoad({
      users: 8,
      mailbox: 600,
      budget: 400,
      pushes: 1_000,
      arrivals: 5,
      seed: 801,
      warp: 120,
    });
    // Bounded: the test process holds Gmail, the service and every mailbox, well under 1 GiB.
    expect(figures.rssPeakMiB).toBeLessThan(1_024);
  }, 120_000);
});
