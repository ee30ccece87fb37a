import { readFileSync } from 'node:fs';
import type { HostSpec } from '@hostgrid/core';
import { SgeJobError } from './errors.js';
import { parsePeHostfile } from './pe-hostfile.js';

/** How to get a parallel job, for error messages. */
const ADVICE = 'run inside a parallel job, e.g. `qsub -pe smp 4 -cwd -b y node my-grid.js` (the parallel environment must have control_slaves TRUE for qrsh -inherit)';

/**
 * The hosts of the SGE parallel job this process runs in, read from the job's host file
 * (`$PE_HOSTFILE`, the seed's `PE_HOSTLIST` path): one {@link HostSpec} per host, in the
 * file's order, with the slots SGE granted there (added up when the host appears once per
 * queue). Give them to `Grid.start` with `sgeTransport()`.
 *
 * @example
 * ```ts
 * // inside `qsub -pe mpi 8 …`, PE_HOSTFILE holding "node01 4 all.q@node01 UNDEFINED" and "node02 4 …":
 * sgeHosts(); // [{ name: 'node01', slots: 4 }, { name: 'node02', slots: 4 }]
 * ```
 * @param env - where to read `PE_HOSTFILE` (and `JOB_ID`, for messages). @defaultValue `process.env`
 * @throws SgeJobError outside a parallel job (no `PE_HOSTFILE`), when the file cannot be
 *   read, or when it lists no host.
 * @throws PeHostfileError naming the line that cannot be read.
 */
export function sgeHosts(env: Readonly<Record<string, string | undefined>> = process.env): HostSpec[] {
  const path = env['PE_HOSTFILE'];
  const jobId = env['JOB_ID'];
  if (path === undefined || path.trim() === '') {
    const where = jobId === undefined || jobId === '' ? 'not inside an SGE job (JOB_ID is not set either)' : `SGE job ${jobId} is not a parallel job (it was submitted without -pe)`;
    throw new SgeJobError({ message: `${where}: PE_HOSTFILE is not set; ${ADVICE}` });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SgeJobError({ message: `cannot read PE_HOSTFILE ${path}: ${(error as Error).message}`, cause: error });
  }
  const slots = new Map<string, number>();
  let entries;
  try {
    entries = parsePeHostfile(text);
  } catch (error) {
    if (error instanceof Error) error.message = error.message.replace('PE_HOSTFILE line', `PE_HOSTFILE ${path}, line`);
    throw error;
  }
  for (const entry of entries) slots.set(entry.host, (slots.get(entry.host) ?? 0) + entry.slots);
  if (slots.size === 0) throw new SgeJobError({ message: `PE_HOSTFILE ${path} lists no host; ${ADVICE}` });
  return [...slots].map(([name, count]) => ({ name, slots: count }));
}
