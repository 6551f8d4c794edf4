import { defineConfig } from 'vitest/config';

/**
 * `npm run soak`: the reliability suite at a larger scale (more seeds, bigger mailboxes, more
 * kills, more users, 20x the fuzz cases). Minutes, not seconds; not part of `npm test`.
 */
export default defineConfig({
  test: {
    include: [
      'test/soak/**/*.soak.ts',
      'test/reliability/fuzz.test.ts',
      'test/reliability/sync-faults.test.ts',
    ],
    setupFiles: ['test/setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: {
      RELIABILITY_FUZZ_CASES: '30000',
      RELIABILITY_SYNC_ROUNDS: '40',
      RELIABILITY_FIGURES: 'soak-figures.jsonl',
    },
  },
});
