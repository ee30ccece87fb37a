/**
 * `npm run bench`: Hostgrid side by side with raw floors, every pair measured in the
 * same run, alternating which goes first, summarised as the median (min–max) over
 * rounds. Prints markdown tables and writes `results/latest.json`.
 *
 * Flags: `--rounds N` (default 5), `--quick` (a smoke run), `--only calls|staging`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchCalls } from './calls.js';
import { benchStaging } from './staging.js';
import { markdown, type Row } from './table.js';

const { values: flags } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench: --rounds must be a positive integer, got "${flags.rounds}"`);
  process.exit(2);
}
if (flags.only !== undefined && flags.only !== 'calls' && flags.only !== 'staging') {
  console.error(`bench: --only takes "calls" or "staging", got "${flags.only}"`);
  process.exit(2);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
const report: { date: string; machine: string; rounds: number; calls?: Row[]; staging?: Row[] } = { date: new Date().toISOString(), machine, rounds };
console.log(`Hostgrid benchmarks — ${machine}; median (min–max) of ${rounds} alternating rounds`);
if (flags.only !== 'staging') {
  report.calls = await benchCalls(rounds, flags.quick);
  console.log(`\n## Calls: local transport against the raw floor\n\n${markdown(report.calls)}`);
}
if (flags.only !== 'calls') {
  const { rows } = await benchStaging(rounds, flags.quick);
  report.staging = rows;
  console.log(`\n## Staging: copyFiles against cp and rsync\n\n${markdown(rows)}`);
}
const out = new URL('../results/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('latest.json', out), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten: ${new URL('latest.json', out).pathname}`);
