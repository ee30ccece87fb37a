#!/usr/bin/env node
/**
 * `hostgrid-testbed`: stand up the SSH test bed by hand, or clean up after a crashed one.
 *
 *   hostgrid-testbed ssh up [--count N] [--name NAME]
 *   hostgrid-testbed ssh cleanup [--force]
 *   hostgrid-testbed slurm up [--nodes N] [--name NAME]
 *   hostgrid-testbed slurm down
 *   hostgrid-testbed slurm cleanup [--force]
 *   hostgrid-testbed sge up [--slots N] [--name NAME]
 *   hostgrid-testbed sge down
 *   hostgrid-testbed sge cleanup [--force]
 */
import { parseArgs } from 'node:util';
import { cleanupSshLeftovers } from './cleanup.js';
import { runUntilSignalled } from './cli-lifetime.js';
import { startSshHosts } from './ssh-hosts.js';
import { SLURM_USAGE, slurmCleanup, slurmDown, slurmUp } from './slurm-cli.js';
import { SGE_USAGE, sgeCleanup, sgeDown, sgeUp } from './sge-cli.js';

const USAGE = `Usage:
  hostgrid-testbed ssh up [--count N] [--name NAME]
      Stands up N SSH hosts (default 3), each a network namespace with its own address,
      hostname and sshd; prints them as JSON and runs until SIGINT/SIGTERM, then removes
      everything it made.
  hostgrid-testbed ssh cleanup [--force]
      Removes the leftovers of crashed test beds: processes in hg* namespaces, the
      namespaces, hg* veths and bridges, stray sshd, /tmp/hostgrid-testbed-* dirs.
      Test beds whose owner still runs are kept unless --force.
${SLURM_USAGE}
${SGE_USAGE}
Runs as root.`;

async function up(count: number, name: string | undefined): Promise<void> {
  const started = performance.now();
  const bed = await startSshHosts(name === undefined ? { count } : { count, name });
  const upMs = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify(
      {
        hosts: bed.hosts,
        user: bed.user,
        privateKeyPath: bed.privateKeyPath,
        knownHostsPath: bed.knownHostsPath,
        hostKeyFingerprints: bed.hostKeyFingerprints,
        bridge: bed.bridge,
        bridgeAddress: bed.bridgeAddress,
        subnet: bed.subnet,
        dir: bed.dir,
      },
      null,
      2,
    )}\n`,
  );
  const first = bed.hosts[0];
  process.stderr.write(
    `hostgrid-testbed: ${bed.hosts.length} hosts up in ${upMs.toFixed(0)} ms. Try:\n` +
      `  ssh -i ${bed.privateKeyPath} -o UserKnownHostsFile=${bed.knownHostsPath} -o StrictHostKeyChecking=yes ` +
      `root@${first?.address ?? '?'} hostname\n` +
      'Ctrl-C (SIGINT) or SIGTERM tears it down.\n',
  );
  await runUntilSignalled(() => bed[Symbol.asyncDispose](), 'torn down');
}

async function cleanup(force: boolean): Promise<void> {
  const report = await cleanupSshLeftovers({ force });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      count: { type: 'string' },
      nodes: { type: 'string' },
      slots: { type: 'string' },
      name: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [area, command, ...rest] = positionals;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (area === 'ssh' && command === 'up' && rest.length === 0) {
    const count = values.count === undefined ? 3 : Number(values.count);
    if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, not ${values.count}`);
    await up(count, values.name);
    return 0;
  }
  if (area === 'ssh' && command === 'cleanup' && rest.length === 0) {
    await cleanup(values.force);
    return 0;
  }
  if (area === 'slurm' && command === 'up' && rest.length === 0) {
    const nodes = values.nodes === undefined ? 3 : Number(values.nodes);
    if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`--nodes must be a positive integer, not ${values.nodes}`);
    await slurmUp(nodes, values.name);
    return 0;
  }
  if (area === 'slurm' && command === 'down' && rest.length === 0) {
    await slurmDown();
    return 0;
  }
  if (area === 'slurm' && command === 'cleanup' && rest.length === 0) {
    await slurmCleanup(values.force);
    return 0;
  }
  if (area === 'sge' && rest.length === 0 && (command === 'up' || command === 'down' || command === 'cleanup')) {
    const slots = values.slots === undefined ? 8 : Number(values.slots);
    if (!Number.isInteger(slots) || slots < 1) throw new Error(`--slots must be a positive integer, not ${values.slots}`);
    await (command === 'up' ? sgeUp(slots, values.name) : command === 'down' ? sgeDown() : sgeCleanup(values.force));
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hostgrid-testbed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
