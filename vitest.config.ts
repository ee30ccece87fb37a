import { defineConfig } from 'vitest/config';

/**
 * One vitest run over every package. Test files that start real processes clean up
 * after themselves; the process-heavy projects run their files one at a time so that
 * a 2-core machine is not oversubscribed. A project's config file does not inherit this
 * one's test options: each sets its own timeouts (30 s a test, 60 s a hook at least).
 */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tooling/*/vitest.config.ts'],
  },
});
