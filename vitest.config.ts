import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'web/**/*.test.tsx'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A test that terminates its Firestore client after its service closed may still see a
    // call the service had in flight fail with exactly this; every other unhandled error fails
    // the run.
    onUnhandledError: (error) => !/The client has already been terminated/.test(error.message),
  },
});
