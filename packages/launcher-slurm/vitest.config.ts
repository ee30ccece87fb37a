import { defineProject } from 'vitest/config';

/**
 * The transport's tests start a real SLURM cluster (munged, slurmctld and a slurmd per
 * network-namespace node, @hostgrid/testbed) and real workers as job steps: files run one
 * at a time, and each test has a minute (a node cut off takes SLURM ~30 s to notice).
 */
export default defineProject({
  test: { name: 'launcher-slurm', include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 90_000, hookTimeout: 60_000 },
});
