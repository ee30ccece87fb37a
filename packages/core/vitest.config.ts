import { defineProject } from 'vitest/config';

export default defineProject({ test: { testTimeout: 30_000, hookTimeout: 60_000, name: 'core', include: ['src/**/*.test.ts'], typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] } } });
