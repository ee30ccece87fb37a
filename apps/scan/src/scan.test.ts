import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { MapProgress } from '@hostgrid/core';
import { describe, expect, it } from 'vitest';
import { progressLine } from './progress-bar.js';

// A worker imports the service module by its own URL, so it must be built JavaScript: use dist/ (build first).
const { runScan } = (await import(new URL('../dist/scan.js', import.meta.url).href)) as typeof import('./scan.js');

const run = promisify(execFile);

describe('scan', () => {
  it('measures every temperature in order on worker processes, reporting progress to the last point', async () => {
    const seen: MapProgress[] = [];
    const results = await runScan({ slots: 2, points: 9, from: 1, to: 5, size: 8, sweeps: 40, onProgress: (progress) => seen.push(progress) });
    expect(results.map((point) => point.t)).toEqual([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
    // Ordered at low temperature, disordered at high: the physics came back, not just the inputs.
    expect(results[0]!.magnetisation).toBeGreaterThan(0.9);
    expect(results.at(-1)!.magnetisation).toBeLessThan(results[0]!.magnetisation);
    expect(seen.at(-1)).toMatchObject({ done: 9, failed: 0 });
  });

  it('prints CSV on stdout and a progress bar on stderr', async () => {
    const cli = new URL('../dist/cli.js', import.meta.url).pathname;
    const { stdout, stderr } = await run(process.execPath, [cli, '--slots', '2', '--points', '4', '--size', '6', '--sweeps', '20']);
    expect(stdout.trim().split('\n')).toHaveLength(5);
    expect(stdout).toMatch(/^t,energy,magnetisation\n1\.5000,/);
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^\[#{30}\] 4\/4 /);
  });

  it('draws the bar from progress, with the total when known', () => {
    expect(progressLine({ done: 5, failed: 1, total: 10, perSecond: 2.5, etaMs: 2000 }, 10)).toBe('[#####.....] 5/10 (1 failed) 2.5/s, eta 2 s');
    expect(progressLine({ done: 3, failed: 0, perSecond: 1 })).toBe('3 1.0/s');
  });
});
