import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from './config.js';
import { runCli } from './fixtures/cli.js';
import { importDist } from './fixtures/dist.js';

// Everything a worker imports must be built JavaScript, so these tests use dist/.
type GridModule = typeof import('./run-on-grid.js');
type SequentialModule = typeof import('./sequential.js');

const config: ExchangeConfig = { replicas: 4, rounds: 20, sweeps: 5, size: 12, tmin: 2.0, tmax: 2.6, seed: 2024 };

describe('replica exchange on a grid (local transport)', () => {
  it('gives a result identical to the sequential run with 4 replicas', async () => {
    const { runOnGrid } = await importDist<GridModule>('run-on-grid.js');
    const { runSequential } = await importDist<SequentialModule>('sequential.js');
    const { result, servers } = await runOnGrid(config);
    const reference = await runSequential(config);
    expect(result).toStrictEqual(reference);
    // the run did exchange temperatures, so the pairing of replicas and servers mattered
    expect(result.swapAccepted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(servers).toHaveLength(4);
    // one init and one sample per round on every server
    expect(servers.map((s) => s.jobs)).toEqual([21, 21, 21, 21]);
  });

  it('refuses hosts that do not give one server per replica', async () => {
    const { runOnGrid } = await importDist<GridModule>('run-on-grid.js');
    await expect(runOnGrid(config, { hosts: [{ name: 'local', slots: 2 }] })).rejects.toThrow(/2 servers for 4 replicas/);
  });

  it('runs from the CLI and writes the same result.json as --sequential', async () => {
    const out = await mkdtemp(join(tmpdir(), 'hostgrid-demo-grid-'));
    try {
      const flags = ['--replicas', '4', '--rounds', '8', '--sweeps', '3', '--size', '8', '--seed', '77'];
      const grid = await runCli([...flags, '--out', join(out, 'grid')]);
      expect(grid.stderr).toBe('');
      expect(grid.code).toBe(0);
      expect(grid.stdout).toContain('servers used: 4');
      // the replica's three modules were staged into the host's temp path
      expect(grid.stdout).toMatch(/staging local +\[#{24}\]  3\/3 files/);
      const sequential = await runCli([...flags, '--sequential', '--out', join(out, 'sequential')]);
      expect(sequential.code).toBe(0);
      const read = (dir: string): Promise<string> => readFile(join(out, dir, 'result.json'), 'utf8');
      expect(await read('grid')).toBe(await read('sequential'));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
