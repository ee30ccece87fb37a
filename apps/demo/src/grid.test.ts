import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from './config.js';
import { runCli } from './fixtures/cli.js';
import { importDist } from './fixtures/dist.js';
import { tempDir } from './fixtures/temp-dir.js';
import type { ReportData } from './report-data.js';

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

  it('runs on several local hosts from the CLI: the same result.json, and a report with each server’s timeline', async () => {
    await using out = await tempDir('hostgrid-demo-hosts-');
    const flags = ['--rounds', '12', '--sweeps', '2', '--size', '8', '--seed', '5'];
    const grid = await runCli([...flags, '--hosts', 'alpha,beta', '--slots', '2', '--out', join(out.path, 'grid')]);
    expect(grid.stderr).toBe('');
    expect(grid.code).toBe(0);
    expect(grid.stdout).toContain('alpha/1: 13 calls');
    expect(grid.stdout).toContain('beta/1: 13 calls');
    const sequential = await runCli([...flags, '--replicas', '4', '--sequential', '--out', join(out.path, 'sequential')]);
    expect(sequential.code).toBe(0);
    const read = (dir: string, file: string): Promise<string> => readFile(join(out.path, dir, file), 'utf8');
    expect(await read('grid', 'result.json')).toBe(await read('sequential', 'result.json'));

    const report = JSON.parse(await read('grid', 'report.json')) as ReportData;
    expect(report.run.transport).toBe('local');
    expect(report.run.hosts).toEqual([{ name: 'alpha', slots: 2 }, { name: 'beta', slots: 2 }]);
    const timeline = report.timeline!;
    expect(timeline.servers.map((s) => `${s.host}/${s.slot}`)).toEqual(['alpha/0', 'alpha/1', 'beta/0', 'beta/1']);
    for (const server of timeline.servers) {
      expect(server.calls).toBe(13); // init and one sample per round
      expect(server.segments.length).toBeGreaterThanOrEqual(1);
      expect(server.busyMs).toBeGreaterThan(0);
      expect(server.busyMs).toBeLessThanOrEqual(timeline.totalMs);
      for (const [start, duration] of server.segments) {
        expect(start).toBeGreaterThanOrEqual(0);
        expect(start + duration).toBeLessThanOrEqual(timeline.totalMs + 1e-3);
      }
    }
    expect(timeline.phases.map((p) => p.label)).toEqual([
      'starting grid', 'staging files', 'publishing', 'setting up replicas', 'exchange rounds', 'stopping grid',
    ]);
    expect(report.roundTime!.ms).toHaveLength(12);
    expect(await read('grid', 'report.html')).toContain('id="timeline-chart"');
  });
});
