import { afterAll } from 'vitest';
import type { Transport } from '@hostgrid/core';
import { describeStagingConformance, describeTransportConformance, type ConformanceOptions } from '@hostgrid/core/testing/conformance';
import { isGone, startSlurm } from '@hostgrid/testbed';
import { slurmHosts } from './slurm-hosts.js';
import { slurmTransport } from './slurm-transport.js';

// A real SLURM cluster of 3 nodes (network namespaces on this machine) and an allocation
// of all three, 2 slots each; the grids run on h1 and h2, and h3 joins late.
const bed = await startSlurm({ nodes: 3, name: 'slurm-conformance' });
const allocation = await bed.salloc({ tasksPerNode: 2 }).catch(async (error: unknown) => {
  await bed.stop();
  throw error;
});
afterAll(async () => {
  await allocation.release();
  await bed.stop();
});
const env = { ...process.env, ...allocation.env };
const [h1, h2, h3] = slurmHosts(env);

const slurm: ConformanceOptions<Transport> = {
  transport: (limits) => slurmTransport({ env, ...limits }),
  hosts: [h1!, { ...h2!, slots: 1 }],
  lateHost: h3!,
  // The nodes share this machine's process table: the worker's pid is its pid here too.
  killWorker: (server) => {
    process.kill(server.pid, 'SIGKILL');
  },
  isRunning: (server) => !isGone(server.pid),
};

describeTransportConformance('slurm', slurm);
describeStagingConformance('slurm', slurm);
