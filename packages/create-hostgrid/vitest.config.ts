import { defineProject } from 'vitest/config';

/**
 * The end-to-end test packs the workspace packages and runs `npm install` and `npm start`
 * in a scaffolded project, so files run one at a time and its timeouts are long.
 */
export default defineProject({ test: { testTimeout: 30_000, hookTimeout: 300_000, name: 'create-hostgrid', include: ['src/**/*.test.ts'], fileParallelism: false } });
