/**
 * `hostgrid-testbed sge up|down|cleanup`: a single-node SGE by hand, stopped from another
 * terminal, or the leftovers of a crashed one removed.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runUntilSignalled, terminateOwners } from './cli-lifetime.js';
import { ownerAlive } from './network.js';
import { cleanupSgeLeftovers } from './sge-cleanup.js';
import { requireSgeInfrastructure } from './sge-infrastructure.js';
import { CELL_PREFIX, startSge, type SgeOwnerRecord } from './sge-start.js';

/** The SGE lines of the CLI's usage. */
export const SGE_USAGE = `  hostgrid-testbed sge up [--slots N] [--name NAME]
      Stands up a single-node Sun Grid Engine (a private cell, sge_qmaster, sge_execd,
      queue all.q with N slots, default 8, parallel environment smp); prints its
      environment as JSON and runs until SIGINT/SIGTERM, then stops everything it started.
  hostgrid-testbed sge down
      Stops the cells that \`sge up\` processes run (SIGTERM to each) and waits for them.
  hostgrid-testbed sge cleanup [--force]
      Removes the leftovers of crashed SGE test beds: their daemons and job processes,
      their hostgrid<i> cells, /etc/hosts lines and /tmp/hostgrid-sge-* dirs. Test beds
      whose owner still runs are kept unless --force.`;

/** The label `sge up` gives its test beds, by which `sge down` finds them. */
const CLI_NAME = 'cli';

/** Runs `sge up` until SIGINT or SIGTERM. */
export async function sgeUp(slots: number, name: string | undefined): Promise<void> {
  const started = performance.now();
  const bed = await startSge({ slots, name: name === undefined ? CLI_NAME : `${CLI_NAME}-${name}` });
  const upMs = performance.now() - started;
  const { env, hostname, cell, dir, queue, pe, qmasterPid, execdPid } = bed;
  process.stdout.write(`${JSON.stringify({ env, hostname, cell, dir, queue, pe, slots, qmasterPid, execdPid }, null, 2)}\n`);
  const exports = Object.entries(env).filter(([key]) => key !== 'PATH').map(([key, value]) => `${key}=${value}`).join(' ');
  process.stderr.write(
    `hostgrid-testbed: SGE cell ${cell} on ${hostname} with ${slots} slots up in ${upMs.toFixed(0)} ms. Try:\n` +
      `  export ${exports} PATH=${env['PATH']?.split(':')[0] ?? ''}:$PATH\n` +
      `  qsub -pe smp ${slots} -b y -cwd -j y node apps/demo/dist/cli.js --launcher sge; qstat\n` +
      'Ctrl-C (SIGINT), SIGTERM or `hostgrid-testbed sge down` stops it.\n',
  );
  await runUntilSignalled(() => bed.stop(), 'stopped');
}

/** Runs `sge down`: SIGTERM to every live `sge up`, then waits (up to 30 s) until their cells are gone. */
export async function sgeDown(): Promise<void> {
  const { root } = requireSgeInfrastructure();
  const owners: SgeOwnerRecord[] = [];
  for (const entry of readdirSync(root)) {
    if (!new RegExp(`^${CELL_PREFIX}\\d+$`).test(entry)) continue;
    try {
      const record = JSON.parse(readFileSync(join(dirname(readlinkSync(join(root, entry))), 'owner.json'), 'utf8')) as SgeOwnerRecord;
      if ((record.name === CLI_NAME || record.name.startsWith(`${CLI_NAME}-`)) && ownerAlive(record)) owners.push(record);
    } catch {
      // Not a cell of ours, or one being made or removed right now.
    }
  }
  await terminateOwners(owners, 'sge up');
  process.stdout.write(`${JSON.stringify({ stopped: owners.map((owner) => ({ pid: owner.pid, cell: owner.cell })) }, null, 2)}\n`);
}

/** Runs `sge cleanup` and prints what it removed. */
export async function sgeCleanup(force: boolean): Promise<void> {
  process.stdout.write(`${JSON.stringify(await cleanupSgeLeftovers({ force }), null, 2)}\n`);
}
