import { defineProject } from 'vitest/config';

// Process-heavy (real worker processes, event-loop-blocking calls): files run one at a time.
export default defineProject({ test: { testTimeout: 30_000, hookTimeout: 60_000, name: 'worker', include: ['src/**/*.test.ts'], fileParallelism: false } });
