import { defineProject } from 'vitest/config';

/** The check tests start real sshd hosts in network namespaces, the agent test a real agent: one file at a time. */
export default defineProject({ test: { name: 'cli', include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 } });
