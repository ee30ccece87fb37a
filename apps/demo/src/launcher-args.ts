import { isAbsolute } from 'node:path';
import { HostListError, layoutReplicas } from './hosts.js';

/** Schedulers the demo runs inside: the hosts and the way workers start come from the allocation. */
export const LAUNCHERS = ['slurm', 'sge'] as const;

/** One of {@link LAUNCHERS}. */
export type LauncherName = (typeof LAUNCHERS)[number];

/** `--sbatch`: submit the demo as a batch job instead of running it here. */
export interface SbatchFlags {
  /** `--nodes`: nodes to ask for. */
  readonly nodes: number;
  /** `--slots`: tasks (servers) per node. */
  readonly slotsPerNode: number;
  /** `--wait`: poll the job until it ends, and exit as it did. */
  readonly wait: boolean;
}

/** `--launcher` and what goes with it. */
export interface LauncherFlags {
  readonly name: LauncherName;
  /** `--replicas` as given: it must equal the allocation's slots. */
  readonly replicas?: number;
  /** `--shared-temp`: the grid's shared temp path (absolute). @defaultValue `<out>/.hostgrid-work` */
  readonly sharedTemp?: string;
  /** `--sbatch` (SLURM only). */
  readonly sbatch?: SbatchFlags;
}

/** The launcher part of the `--help` text. */
export const LAUNCHER_USAGE = `Cluster (inside a scheduler's allocation; hosts and slots come from it):
  --launcher NAME  slurm (srun steps; run it inside salloc or sbatch) or sge
                   (qrsh -inherit; inside a parallel-environment job); replicas =
                   the allocation's slots (--replicas, if given, must match)
  --shared-temp D  the grid's temp folder, one every node sees (absolute;
                   default <out>/.hostgrid-work: --out must be on a shared file system)
  --sbatch         submit this run as a SLURM batch job and print where its report
                   will land, instead of running here (with --launcher slurm)
  --nodes N        with --sbatch: nodes to ask for (default 1); --slots per node
  --wait           with --sbatch: follow the job (scontrol show job) until it ends`;

/** The command-line options of launchers, for node's parseArgs. */
export const LAUNCHER_OPTIONS = {
  launcher: { type: 'string' },
  'shared-temp': { type: 'string' },
  sbatch: { type: 'boolean' },
  nodes: { type: 'string' },
  wait: { type: 'boolean' },
} as const;

/** The flags {@link launcherFlags} looks at, as parseArgs gives them. */
export interface LauncherValues {
  readonly launcher?: string | undefined;
  readonly 'shared-temp'?: string | undefined;
  readonly sbatch?: boolean | undefined;
  readonly nodes?: string | undefined;
  readonly wait?: boolean | undefined;
  readonly transport?: string | undefined;
  readonly hosts?: string | undefined;
  readonly sequential?: boolean | undefined;
  readonly live?: boolean | undefined;
  readonly 'live-port'?: string | undefined;
  readonly 'live-hold-ms'?: string | undefined;
}

/** A bad command line around `--launcher`, as the caller's own error class. */
type Refuse = (message: string) => Error;

/**
 * Reads `--launcher NAME` and the flags that only go with it (`--shared-temp`,
 * `--sbatch`, `--nodes`, `--wait`), refusing what does not fit: another transport, a host
 * list (the allocation gives the hosts), `--sequential`; with `--sbatch`, the live view.
 *
 * @param replicas - `--replicas`, checked; @param slots - `--slots`, checked
 * @returns the flags and the number of replicas (with `--sbatch`, nodes x slots; else
 *   `--replicas` or `fallbackReplicas`, to be checked against the allocation), or
 *   `undefined` without `--launcher`
 */
export function launcherFlags(
  values: LauncherValues,
  counts: { readonly replicas: number | undefined; readonly slots: number | undefined; readonly nodes: number | undefined },
  fallbackReplicas: number,
  maxReplicas: number,
  refuse: Refuse,
): { flags: LauncherFlags; replicas: number } | undefined {
  if (values.launcher === undefined) {
    const stray = (['shared-temp', 'sbatch', 'nodes', 'wait'] as const).find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw refuse(`--${stray} goes with --launcher (slurm or sge)`);
    return undefined;
  }
  const name = values.launcher;
  if (!(LAUNCHERS as readonly string[]).includes(name)) throw refuse(`unknown launcher "${name}" (available: ${LAUNCHERS.join(', ')})`);
  if (values.transport !== undefined) throw refuse(`--launcher ${name} starts the workers itself: it takes no --transport`);
  if (values.hosts !== undefined) throw refuse(`--launcher ${name} takes the hosts from the allocation: it takes no --hosts`);
  if (values.sequential === true) throw refuse('--sequential runs in this process: it takes no --launcher');
  const sharedTemp = values['shared-temp'];
  if (sharedTemp !== undefined && !isAbsolute(sharedTemp)) throw refuse(`--shared-temp must be an absolute path (a folder every node sees), got "${sharedTemp}"`);
  const base = { name: name as LauncherName, ...(counts.replicas === undefined ? {} : { replicas: counts.replicas }), ...(sharedTemp === undefined ? {} : { sharedTemp }) };
  if (values.sbatch !== true) {
    const stray = (['nodes', 'wait'] as const).find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw refuse(`--${stray} goes with --sbatch`);
    if (counts.slots !== undefined) throw refuse(`--launcher ${name} takes the slots from the allocation (${name === 'slurm' ? 'SLURM_TASKS_PER_NODE' : 'PE_HOSTFILE'}): it takes no --slots`);
    return { flags: base, replicas: counts.replicas ?? fallbackReplicas };
  }
  if (name !== 'slurm') throw refuse(`--sbatch submits to SLURM: it goes with --launcher slurm, not ${name}`);
  if (values.live !== undefined || values['live-port'] !== undefined || values['live-hold-ms'] !== undefined) {
    throw refuse('--sbatch runs the demo on a node later: it takes no live view');
  }
  const nodes = counts.nodes ?? 1;
  let layout;
  try {
    layout = layoutReplicas(counts.replicas, fallbackReplicas, nodes, counts.slots, maxReplicas);
  } catch (error) {
    throw error instanceof HostListError ? refuse(error.message.replace(/hosts?\b/g, (word) => (word === 'host' ? 'node' : 'nodes'))) : error;
  }
  return { flags: { ...base, sbatch: { nodes, slotsPerNode: layout.slots, wait: values.wait ?? false } }, replicas: layout.replicas };
}
