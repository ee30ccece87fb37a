/**
 * `npm run bench`: Hostgrid side by side with raw floors and with its peers, every pair
 * measured in the same run, alternating which goes first, summarised as the median
 * (min–max) over rounds. Prints markdown tables and writes `results/latest.json`.
 *
 * Flags: `--rounds N` (default 5), `--quick` (a smoke run), `--only GROUP[,GROUP…]` with
 * groups `calls`, `peers`, `overhead`, `map`, `startup`, `faults`, `ssh`, `ws`, `slurm`, `staging` (default: all).
 * The `ssh` group stands up real sshd hosts in network namespaces, `slurm` a real SLURM cluster: they need root.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { markdown, type Row } from './table.js';

/** What one group of cases reports: its rows, and lines to print under its table. */
interface GroupResult {
  readonly rows: Row[];
  readonly notes?: string[];
}

/** A group of cases: its `--only` name, its heading, and how to run it (its modules load only when it runs). */
interface Group {
  readonly name: string;
  readonly title: string;
  run(rounds: number, quick: boolean): Promise<GroupResult>;
}

const GROUPS: readonly Group[] = [
  {
    name: 'calls',
    title: 'Calls: local transport against the raw floor',
    run: async (rounds, quick) => ({ rows: await (await import('./calls.js')).benchCalls(rounds, quick) }),
  },
  {
    name: 'peers',
    title: 'Peers: local transport against workerpool and Moleculer',
    run: async (rounds, quick) => ({ rows: await (await import('./peers.js')).benchPeers(rounds, quick) }),
  },
  {
    name: 'overhead',
    title: "The grid's own overhead: in-memory transport, no I/O",
    run: async (rounds, quick) => {
      const acquire = await (await import('./overhead-acquire.js')).benchAcquire(rounds, quick);
      const broadcast = await (await import('./overhead-broadcast.js')).benchBroadcast(rounds, quick);
      return { rows: [...acquire, ...broadcast.rows], notes: broadcast.notes };
    },
  },
  {
    name: 'map',
    title: 'grid.map: tiny items against grid.call, workerpool and the raw floor; an uneven scan against scatter',
    run: async (rounds, quick) => (await import('./map.js')).benchMap(rounds, quick),
  },
  {
    name: 'startup',
    title: 'Start and publish against the number of hosts: local transport',
    run: async (rounds) => ({ rows: await (await import('./startup.js')).benchStartup(rounds) }),
  },
  {
    name: 'faults',
    title: 'Failure detection: local transport',
    run: async (rounds, quick) => (await import('./faults.js')).benchFaults(rounds, quick),
  },
  {
    name: 'ssh',
    title: 'SSH transport on real sshd hosts (network namespaces on this machine)',
    run: async (rounds, quick) => (await import('./ssh.js')).benchSsh(rounds, quick),
  },
  {
    name: 'ws',
    title: 'WebSocket transport against a raw ws echo (ws:// and wss://, 127.0.0.1)',
    run: async (rounds, quick) => (await import('./ws.js')).benchWs(rounds, quick),
  },
  {
    name: 'slurm',
    title: 'SLURM launcher on a real 3-node cluster (srun steps, network namespaces on this machine)',
    run: async (rounds, quick) => (await import('./slurm.js')).benchSlurm(rounds, quick),
  },
  {
    name: 'staging',
    title: 'Staging: copyFiles against cp and rsync',
    run: async (rounds, quick) => ({ rows: (await (await import('./staging.js')).benchStaging(rounds, quick)).rows }),
  },
];

const { values: flags } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench: --rounds must be a positive integer, got "${flags.rounds}"`);
  process.exit(2);
}
const names = GROUPS.map((group) => group.name);
const only = flags.only === undefined ? names : flags.only.split(',').map((name) => name.trim());
const unknown = only.filter((name) => !names.includes(name));
if (unknown.length > 0 || only.length === 0) {
  console.error(`bench: --only takes one or more of ${names.join(', ')} (comma-separated), got "${flags.only}"`);
  process.exit(2);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
/** `results/latest.json`: each group's rows under its name, as before, plus notes and times. */
interface Report {
  date: string;
  machine: string;
  rounds: number;
  quick: boolean;
  [group: string]: unknown;
  notes: Record<string, string[]>;
  seconds: Record<string, number>;
}
const report: Report = { date: new Date().toISOString(), machine, rounds, quick: flags.quick, notes: {}, seconds: {} };
console.log(`Hostgrid benchmarks — ${machine}; median (min–max) of ${rounds} alternating rounds${flags.quick ? ' (quick)' : ''}`);
for (const group of GROUPS) {
  if (!only.includes(group.name)) continue;
  const start = performance.now();
  const result = await group.run(rounds, flags.quick);
  const seconds = (performance.now() - start) / 1000;
  report[group.name] = result.rows;
  if (result.notes !== undefined) report.notes[group.name] = result.notes;
  report.seconds[group.name] = Math.round(seconds * 10) / 10;
  const notes = (result.notes ?? []).map((note) => `\n${note}\n`).join('');
  console.log(`\n## ${group.title}\n\n${markdown(result.rows)}\n${notes}\n(${seconds.toFixed(0)} s)`);
}
const out = new URL('../results/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('latest.json', out), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten: ${new URL('latest.json', out).pathname}`);
