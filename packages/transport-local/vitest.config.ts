import { defineProject } from 'vitest/config';

/**
 * Every test here starts real worker processes, so files run one at a time to keep a
 * 2-core machine from being oversubscribed.
 */
export default defineProject({ test: { testTimeout: 30_000, hookTimeout: 60_000, name: 'transport-local', include: ['src/**/*.test.ts'], fileParallelism: false } });
