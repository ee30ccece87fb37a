/**
 * Removes what crashed SLURM test beds left behind: their daemons and clients outside the
 * nodes (slurmctld, slurmscriptd, munged, srun, salloc), then, as for SSH test beds, the
 * processes in their namespaces, the namespaces, veths, bridges and temp dirs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CleanupOptions, type CleanupReport, cleanupSshLeftovers } from './cleanup.js';
import { ownerAlive, readDirOwner } from './network.js';
import { processesWithConfUnder } from './slurm-processes.js';
import { killUntilEmpty } from './system.js';

const DIR_PREFIX = 'hostgrid-testbed-';

/** Whether a test bed dir's owner is gone (no owner.json: judged by age, as SSH cleanup does). */
function abandoned(dir: string): boolean {
  const owner = readDirOwner(dir);
  if (owner) return !ownerAlive(owner);
  return Date.now() - statSync(dir).mtimeMs > 60_000;
}

/**
 * Finds the SLURM test beds (temp dirs with a `slurm.conf`) whose owner process is gone, or
 * all of them with `force`, and kills every process whose environment points `SLURM_CONF`
 * into one of them (daemons and clients); then does what `cleanupSshLeftovers` does:
 * namespaces and their processes (slurmd, slurmstepd, tasks), veths, bridges and temp dirs
 * of dead owners.
 *
 * @throws MissingInfrastructureError when `ip` or root is missing.
 */
export async function cleanupSlurmLeftovers(options: CleanupOptions = {}): Promise<CleanupReport> {
  const pids: number[] = [];
  const root = tmpdir();
  for (const entry of readdirSync(root)) {
    const dir = join(root, entry);
    if (!entry.startsWith(DIR_PREFIX) || !existsSync(join(dir, 'slurm.conf'))) continue;
    if (!options.force && !abandoned(dir)) continue;
    pids.push(...(await killUntilEmpty(() => processesWithConfUnder(dir), `the processes of SLURM test bed ${dir}`)));
  }
  const report = await cleanupSshLeftovers(options);
  return { ...report, pids: [...pids, ...report.pids] };
}
