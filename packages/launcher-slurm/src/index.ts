/**
 * Hostgrid inside a SLURM allocation: the hosts and slots come from the allocation, and
 * every slot's worker is started with `srun` on its node, talking over srun's stdio.
 *
 * @packageDocumentation
 */
export { MAX_HOSTLIST_HOSTS, SlurmSyntaxError, parseHostlist, parseTasksPerNode } from './hostlist.js';
export { SlurmAllocationError, slurmHosts } from './slurm-hosts.js';
export { type SlurmTransportOptions, slurmTransport } from './slurm-transport.js';
