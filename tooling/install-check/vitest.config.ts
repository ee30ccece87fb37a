import { defineProject } from 'vitest/config';

/**
 * One registry for the file, every package published to it once, then each app installed
 * from it in a fresh folder: npm installs take tens of seconds, so tests have minutes.
 */
export default defineProject({
  test: { name: 'install-check', include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 240_000, hookTimeout: 300_000 },
});
