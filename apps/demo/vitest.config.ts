import { defineProject } from 'vitest/config';

/**
 * The demo's tests. The grid and CLI tests run the BUILT files in dist/ (a worker is
 * plain `node` and cannot import a .ts file), so build first: `npm run build`. Files run
 * one at a time, since the grid test starts a worker process per replica.
 */
export default defineProject({
  test: { testTimeout: 30_000, hookTimeout: 60_000,
    name: 'demo',
    include: ['src/**/*.test.ts'],
    fileParallelism: false,
  },
});
