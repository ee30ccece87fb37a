import { defineProject } from 'vitest/config';

/**
 * Every test here starts real processes; `conformance.test.ts` stands up SGE and waits
 * for a parallel job that runs `src/job/*.job.ts` (see vitest.job.config.ts), which takes
 * minutes. Files run one at a time to keep a 2-core machine from being oversubscribed.
 */
export default defineProject({ test: { name: 'launcher-sge', include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 660_000 } });
