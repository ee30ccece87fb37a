import { defineProject } from 'vitest/config';

/** The SSH tests start real sshd hosts in network namespaces: one file at a time. */
export default defineProject({ test: { name: 'transport-ssh', include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 } });
