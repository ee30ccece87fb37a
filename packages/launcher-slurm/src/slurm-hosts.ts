import type { HostSpec } from '@hostgrid/core';
import { HostgridError } from '@hostgrid/core';
import { parseHostlist, parseTasksPerNode } from './hostlist.js';

/**
 * This process is not inside a SLURM allocation (or its environment is incomplete), so
 * there are no hosts to read.
 */
export class SlurmAllocationError extends HostgridError {
  override readonly name = 'SlurmAllocationError';
}

/** How to get an allocation, for error messages. */
const ADVICE = 'run inside an allocation, e.g. `salloc --nodes=3 --ntasks-per-node=2 --no-kill <command>` or a batch script (`sbatch`)';

/**
 * The hosts of the SLURM allocation this process runs in: one {@link HostSpec} per node of
 * `SLURM_JOB_NODELIST` (or `SLURM_NODELIST`), in its order, with as many slots as
 * `SLURM_TASKS_PER_NODE` gives it (`2(x3),1` → 2, 2, 2, 1); without that variable,
 * `SLURM_JOB_CPUS_PER_NODE` counts instead. Give them to `Grid.start` with
 * `slurmTransport()`.
 *
 * @example
 * ```ts
 * // inside `salloc --nodes=3 --ntasks-per-node=2 --no-kill`:
 * slurmHosts(); // [{ name: 'h1', slots: 2 }, { name: 'h2', slots: 2 }, { name: 'h3', slots: 2 }]
 * ```
 * @param env - where to read the variables. @defaultValue `process.env`
 * @throws SlurmAllocationError outside an allocation (no node list), or when the counts
 *   do not cover the nodes one to one.
 * @throws SlurmSyntaxError when a variable cannot be read (naming it, the text and the position).
 */
export function slurmHosts(env: Readonly<Record<string, string | undefined>> = process.env): HostSpec[] {
  const listName = env['SLURM_JOB_NODELIST'] !== undefined ? 'SLURM_JOB_NODELIST' : 'SLURM_NODELIST';
  const list = env[listName];
  if (list === undefined || list.trim() === '') {
    throw new SlurmAllocationError({ message: `not inside a SLURM allocation: SLURM_JOB_NODELIST (or SLURM_NODELIST) is not set; ${ADVICE}` });
  }
  const countName = env['SLURM_TASKS_PER_NODE'] !== undefined ? 'SLURM_TASKS_PER_NODE' : 'SLURM_JOB_CPUS_PER_NODE';
  const countText = env[countName];
  if (countText === undefined) {
    throw new SlurmAllocationError({ message: `${listName} is set but neither SLURM_TASKS_PER_NODE nor SLURM_JOB_CPUS_PER_NODE is; ${ADVICE}` });
  }
  const names = named(listName, () => parseHostlist(list));
  const counts = named(countName, () => parseTasksPerNode(countText));
  if (counts.length !== names.length) {
    throw new SlurmAllocationError({
      message: `${listName}=${list} names ${names.length} nodes but ${countName}=${countText} gives counts for ${counts.length}; they must match one to one`,
    });
  }
  return names.map((name, i) => ({ name, slots: counts[i]! }));
}

/** Runs a parse, putting the variable's name in front of any error message. */
function named<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof Error) error.message = error.message.replace('[hostgrid] ', `[hostgrid] ${variable}: `);
    throw error;
  }
}
