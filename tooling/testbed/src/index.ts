/**
 * Real test infrastructure on this machine for Hostgrid's tests: SSH hosts, each a
 * network namespace with its own address, hostname, host key and sshd, torn down to the
 * last process when the test ends.
 *
 * @example
 * ```ts
 * import { startSshHosts } from '@hostgrid/testbed';
 *
 * await using bed = await startSshHosts({ count: 3 });
 * for (const host of bed.hosts) {
 *   // root@host.address:22, key bed.privateKeyPath, host keys in bed.knownHostsPath
 * }
 * await bed.linkDown('h2');          // h2 vanishes silently
 * await bed.killProcesses('h3');     // every process on h3 but its sshd dies
 * ```
 *
 * @packageDocumentation
 */
export { startSshHosts } from './ssh-hosts.js';
export type { ExecResult, HostRef, SshHost, SshTestbed, StartSshHostsOptions } from './ssh-testbed.js';
export { requireSshInfrastructure } from './infrastructure.js';
export type { SshInfrastructure } from './infrastructure.js';
export { cleanupSshLeftovers } from './cleanup.js';
export type { CleanupOptions, CleanupReport } from './cleanup.js';
export { MissingInfrastructureError, TestbedError, TestbedStartError } from './errors.js';
export type { MissingInfrastructureOptions } from './errors.js';
export { isGone } from './processes.js';
export { startSlurm } from './slurm.js';
export type {
  NodeRef, SallocOptions, SbatchOptions, SlurmAllocation, SlurmJobInfo, SlurmNode, SlurmStep, SlurmTestbed, SlurmTrackedPid, StartSlurmOptions,
} from './slurm-testbed.js';
export { requireSlurmInfrastructure, type SlurmInfrastructure } from './slurm-infrastructure.js';
export { parseScontrolLine } from './slurm-jobs.js';
export { cleanupSlurmLeftovers } from './slurm-cleanup.js';
export { startSge } from './sge-start.js';
export type { SgeJobResult, SgeJobState, SgeTestbed, StartSgeOptions } from './sge-testbed.js';
export { requireSgeInfrastructure, type SgeInfrastructure } from './sge-infrastructure.js';
export { cleanupSgeLeftovers, type SgeCleanupOptions, type SgeCleanupReport } from './sge-cleanup.js';
export { makeCertificates, type TestCertificates } from './certificates.js';
export { startRegistry, type StartRegistryOptions, type TestRegistry } from './registry.js';
