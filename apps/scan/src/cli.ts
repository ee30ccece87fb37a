#!/usr/bin/env node
/**
 * `hostgrid-scan [--slots N] [--points N] [--from T] [--to T] [--size L] [--sweeps N]`:
 * the 2D Ising model's energy and magnetisation against temperature, one `grid.map` item
 * per temperature, a progress bar on stderr and CSV on stdout.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { progressLine } from './progress-bar.js';
import { runScan } from './scan.js';

const { values } = parseArgs({
  options: {
    slots: { type: 'string', default: String(availableParallelism()) },
    points: { type: 'string', default: '64' },
    from: { type: 'string', default: '1.5' },
    to: { type: 'string', default: '3.5' },
    size: { type: 'string', default: '24' },
    sweeps: { type: 'string', default: '400' },
  },
});
const number = (name: keyof typeof values, integer: boolean): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || (integer && !(Number.isInteger(value) && value >= 1))) {
    console.error(`hostgrid-scan: --${name} must be ${integer ? 'an integer >= 1' : 'a number'}, got "${values[name]}"`);
    process.exit(2);
  }
  return value;
};
const tty = process.stderr.isTTY === true;
const results = await runScan({
  slots: number('slots', true),
  points: number('points', true),
  from: number('from', false),
  to: number('to', false),
  size: number('size', true),
  sweeps: number('sweeps', true),
  // On a terminal the bar redraws in place; in a log, one line per report.
  onProgress: (progress) => process.stderr.write(tty ? `\r${progressLine(progress)}\u001b[K` : `${progressLine(progress)}\n`),
});
if (tty) process.stderr.write('\n');
console.log('t,energy,magnetisation');
for (const { t, energy, magnetisation } of results) console.log(`${t.toFixed(4)},${energy.toFixed(5)},${magnetisation.toFixed(5)}`);
