import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'staging', include: ['src/**/*.test.ts'] } });
