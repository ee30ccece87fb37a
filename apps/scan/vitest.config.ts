import { defineProject } from 'vitest/config';

/** The scan's tests run the BUILT service module (a worker is plain `node`): build first. */
export default defineProject({ test: { testTimeout: 30_000, hookTimeout: 60_000, name: 'scan', include: ['src/**/*.test.ts'], fileParallelism: false } });
