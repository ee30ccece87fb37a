import { defineConfig } from 'vitest/config';

/**
 * The tests that must run inside an SGE parallel job (qrsh -inherit starts tasks only for
 * the job this process belongs to). `src/conformance.test.ts` submits a job that runs
 * this config (`vitest run --config vitest.job.config.ts`) on the test bed's SGE and
 * reads its JSON report; run by hand, it fails outside a job.
 */
export default defineConfig({
  test: {
    name: 'launcher-sge-in-job',
    root: new URL('.', import.meta.url).pathname,
    include: ['src/job/**/*.job.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
