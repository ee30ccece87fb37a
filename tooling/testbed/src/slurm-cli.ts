/**
 * `hostgrid-testbed slurm up|cleanup`: a SLURM cluster by hand, or the leftovers of a
 * crashed one removed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUntilSignalled, terminateOwners } from './cli-lifetime.js';
import { ownerAlive, readDirOwner } from './network.js';
import { cleanupSlurmLeftovers } from './slurm-cleanup.js';
import { startSlurm } from './slurm.js';
import { processCmdline } from './system.js';

/** The SLURM lines of the CLI's usage. */
export const SLURM_USAGE = `  hostgrid-testbed slurm up [--nodes N] [--name NAME]
      Stands up a SLURM cluster of N nodes (default 3): munged, slurmctld on the bridge
      and a slurmd per network-namespace node; prints it as JSON with the SLURM_CONF to
      use, and runs until SIGINT/SIGTERM, then stops everything it started.
  hostgrid-testbed slurm down
      Stops the clusters that \`slurm up\` processes run (SIGTERM to each) and waits for them.
  hostgrid-testbed slurm cleanup [--force]
      Removes the leftovers of crashed SLURM test beds (slurmctld, munged, clients, then
      what ssh cleanup removes). Test beds whose owner still runs are kept unless --force.`;

/** Runs `slurm up` until SIGINT or SIGTERM. */
export async function slurmUp(nodes: number, name: string | undefined): Promise<void> {
  const started = performance.now();
  const bed = await startSlurm(name === undefined ? { nodes } : { nodes, name });
  const upMs = performance.now() - started;
  const { nodes: list, env, confPath, clusterName, controllerAddress, controllerPort, dir, bridge, subnet, pids } = bed;
  process.stdout.write(`${JSON.stringify({ nodes: list, env, confPath, clusterName, controllerAddress, controllerPort, dir, bridge, subnet, pids }, null, 2)}\n`);
  process.stderr.write(
    `hostgrid-testbed: SLURM cluster ${clusterName} of ${list.length} nodes up in ${upMs.toFixed(0)} ms. Try:\n` +
      `  export SLURM_CONF=${confPath}\n` +
      `  sinfo; salloc --nodes=${list.length} --ntasks-per-node=2 --no-kill npm run demo -- --launcher slurm\n` +
      'Ctrl-C (SIGINT) or SIGTERM stops it.\n',
  );
  await runUntilSignalled(() => bed.stop(), 'stopped');
}

/**
 * Runs `slurm down`: SIGTERM to every live `hostgrid-testbed slurm up` that owns a SLURM
 * test bed (found by the owner.json of its temp dir and its command line), then waits
 * until they have stopped their clusters and exited.
 */
export async function slurmDown(): Promise<void> {
  const owners: Array<{ pid: number; start: number; dir: string }> = [];
  for (const entry of readdirSync(tmpdir())) {
    const dir = join(tmpdir(), entry);
    if (!entry.startsWith('hostgrid-testbed-') || !existsSync(join(dir, 'slurm.conf'))) continue;
    // No owner: a test bed being made or removed right now.
    const owner = readDirOwner(dir);
    if (owner && ownerAlive(owner) && /\bslurm up\b/.test(processCmdline(owner.pid) ?? '')) owners.push({ pid: owner.pid, start: owner.start, dir });
  }
  await terminateOwners(owners, 'slurm up');
  process.stdout.write(`${JSON.stringify({ stopped: owners.map(({ pid, dir }) => ({ pid, dir })) }, null, 2)}\n`);
}

/** Runs `slurm cleanup` and prints what it removed. */
export async function slurmCleanup(force: boolean): Promise<void> {
  process.stdout.write(`${JSON.stringify(await cleanupSlurmLeftovers({ force }), null, 2)}\n`);
}
