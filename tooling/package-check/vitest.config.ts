import { defineProject } from 'vitest/config';

// Each file packs every publishable package with `npm pack` (a process each): one file at a time.
export default defineProject({ test: { name: 'package-check', include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 120_000 } });
