import { join } from 'node:path';
import type { HostSpec, Transport } from '@hostgrid/core';
import type { CliOptions } from './args.js';
import type { GridTarget } from './grid-transport.js';
import type { LauncherFlags, LauncherName } from './launcher-args.js';

/** What the demo needs of a launcher package: hosts from the allocation, and its transport. */
interface LauncherModule {
  hosts(): HostSpec[] | Promise<HostSpec[]>;
  transport(): Transport;
}

/**
 * Loads a launcher's package only when it is used (a local run never loads it).
 * `@hostgrid/launcher-sge` mirrors `@hostgrid/launcher-slurm`: `sgeHosts()` (from
 * `PE_HOSTFILE`) and `sgeTransport()` (`qrsh -inherit`), reading the job's environment.
 */
async function load(name: LauncherName): Promise<LauncherModule> {
  if (name === 'slurm') {
    const { slurmHosts, slurmTransport } = await import('@hostgrid/launcher-slurm');
    return { hosts: () => slurmHosts(), transport: () => slurmTransport() };
  }
  const { sgeHosts, sgeTransport } = await import('@hostgrid/launcher-sge');
  return { hosts: () => sgeHosts(), transport: () => sgeTransport() };
}

/** The allocation's hosts did not give one server per replica. */
export class AllocationMismatchError extends Error {
  override readonly name = 'AllocationMismatchError';
}

/**
 * The command line with the allocation read in: `hosts` are its nodes with their slots,
 * and `config.replicas` is their total (`--replicas`, if given, must equal it).
 *
 * @throws whatever the launcher throws outside an allocation (`SlurmAllocationError`, …),
 *   or {@link AllocationMismatchError}
 */
export async function withAllocation(cli: CliOptions, maxReplicas: number): Promise<CliOptions> {
  const flags = cli.launcher;
  if (flags === undefined) return cli;
  const hosts = await (await load(flags.name)).hosts();
  const slots = hosts.reduce((total, host) => total + (host.slots ?? 1), 0);
  const list = hosts.map((host) => `${host.name}×${host.slots ?? 1}`).join(', ');
  if (flags.replicas !== undefined && flags.replicas !== slots) {
    throw new AllocationMismatchError(`--replicas ${flags.replicas} does not match the allocation's ${slots} slots (${list}); one replica runs on each slot`);
  }
  if (slots < 2 || slots > maxReplicas) throw new AllocationMismatchError(`the allocation has ${slots} slots (${list}); replica exchange needs 2 to ${maxReplicas}`);
  return {
    ...cli,
    hosts: hosts.map((host) => ({ name: host.name, slots: host.slots ?? 1 })),
    config: { ...cli.config, replicas: slots },
  };
}

/**
 * The launcher's transport and the hosts (already read by {@link withAllocation}), and the
 * grid's shared temp path: `--shared-temp`, or a folder in the output folder, which, like
 * the job's working directory, is on a file system every node sees.
 */
export async function launcherTarget(flags: LauncherFlags, hosts: CliOptions['hosts'], outDir: string): Promise<GridTarget & { sharedTempPath: string }> {
  const launcher = await load(flags.name);
  return {
    transport: launcher.transport(),
    hosts: hosts.map((host) => ({ name: host.name, slots: host.slots })),
    sharedTempPath: flags.sharedTemp ?? join(outDir, '.hostgrid-work'),
  };
}
