import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'web/**/*.test.tsx'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test time is waiting (sync windows, the trash quiet spell, emulators), not CPU: two
    // files at once on a 2-core machine. `npm test` runs the multi-process scale test on its own
    // afterwards, so nothing competes with its three instances.
    maxWorkers: 2,
    // A test that terminates its Firestore client after its service closed may still see a
    // call the service had in flight fail with exactly this; every other unhandled error fails
    // the run.
    onUnhandledError: (error) => !/The client has already been terminated/.test(error.message),
  },
});
