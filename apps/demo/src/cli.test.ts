import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './fixtures/cli.js';
import { distPath, importDist } from './fixtures/dist.js';

type SequentialModule = typeof import('./sequential.js');

describe('hostgrid-demo CLI', () => {
  it('prints the usage and exits 0 for --help', async () => {
    const { code, stdout, stderr } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: hostgrid-demo/);
    expect(stdout).toContain('--replicas N');
    expect(stderr).toBe('');
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--replicas', 'x'], '--replicas must be a whole number'],
    [['--tmin', '3', '--tmax', '2'], 'must not be lower than --tmin'],
    [['--transport', 'ssh'], 'transport ssh is not available yet'],
  ])('exits 2 with one line on stderr for %j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
    expect(stderr).toContain('hostgrid-demo --help');
  });

  it('runs sequentially, prints progress and a summary, and writes result.json', async () => {
    const out = await mkdtemp(join(tmpdir(), 'hostgrid-demo-'));
    try {
      const config = { replicas: 3, rounds: 10, sweeps: 2, size: 6, tmin: 2, tmax: 3, seed: 5 };
      const { code, stdout, stderr } = await runCli([
        '--sequential', '--replicas', '3', '--rounds', '10', '--sweeps', '2', '--size', '6',
        '--tmin', '2', '--tmax', '3', '--seed', '5', '--out', out,
      ]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('round 10/10');
      expect(stdout).toContain('servers used: none');
      expect(stdout).toContain(`wrote ${join(out, 'result.json')}`);
      const { runSequential } = await importDist<SequentialModule>('sequential.js');
      const written: unknown = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
      expect(written).toEqual(JSON.parse(JSON.stringify(await runSequential(config))));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('is built with a shebang, ready to be the hostgrid-demo bin', async () => {
    expect(await readFile(distPath('cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});
