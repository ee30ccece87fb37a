import { defineProject } from 'vitest/config';

/**
 * The test bed's own tests stand up real network-namespace hosts with sshd, as root:
 * files run one at a time, and each test has a minute.
 */
export default defineProject({
  test: { name: 'testbed', include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 },
});
