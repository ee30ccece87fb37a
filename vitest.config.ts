import { defineConfig } from 'vitest/config';

/**
 * One vitest run over every package. Test files that start real processes clean up
 * after themselves; the process-heavy projects run their files one at a time so that
 * a 2-core machine is not oversubscribed.
 */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tooling/*/vitest.config.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
