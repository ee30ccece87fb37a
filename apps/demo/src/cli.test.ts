import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './fixtures/cli.js';
import { distPath, importDist } from './fixtures/dist.js';
import { tempDir } from './fixtures/temp-dir.js';

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
    [['--transport', 'ws', '--listen', 'nowhere'], '--listen needs HOST:PORT (e.g. 0.0.0.0:7000; port 0 takes any free one), got "nowhere"'],
    [['--transport', 'slurm'], 'slurm is a launcher, not a transport: inside an allocation use --launcher slurm'],
    [['--launcher', 'pbs'], 'unknown launcher "pbs" (available: slurm, sge)'],
    [['--launcher', 'slurm', '--hosts', 'a,b'], '--launcher slurm takes the hosts from the allocation: it takes no --hosts'],
    [['--sbatch'], '--sbatch goes with --launcher (slurm or sge)'],
    [['--transport', 'ssh'], '--transport ssh needs --hosts'],
    [['--hosts', 'a,b', '--slots', '3', '--replicas', '4'], 'does not match 2 hosts x 3 slots'],
  ])('exits 2 with one line on stderr for %j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
    expect(stderr).toContain('hostgrid-demo --help');
  });

  it('ends `npm run demo -- --bad-flag` at the root with the demo\'s one line, no npm or turbo error block', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const outcome = await promisify(execFile)('npm', ['run', 'demo', '--', '--bad-flag'], { cwd: root, timeout: 120_000 }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code?: number; stdout: string; stderr: string }) => error,
    );
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trimEnd().split('\n')).toEqual(["hostgrid-demo: unknown option '--bad-flag' (see hostgrid-demo --help)"]);
    expect(outcome.stdout).not.toMatch(/npm error|ERR!|failed/i);
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
      expect(stdout).toContain(`report: ${join(out, 'report.html')}`);
      const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { run: { transport: string }; timeline: unknown };
      expect(report.run.transport).toBe('sequential');
      expect(report.timeline).toBeNull();
      const { runSequential } = await importDist<SequentialModule>('sequential.js');
      const written: unknown = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
      expect(written).toEqual(JSON.parse(JSON.stringify(await runSequential(config))));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it.each([
    [['--port', '1'], /run failed: cannot reach ssh host "x" \(127\.0\.0\.1:1\): connect ECONNREFUSED/],
    [['--port', '1', '--key', '/nonexistent/hostgrid-demo-key'], /run failed: SshAuthError: ssh host "x" \(127\.0\.0\.1:1\): cannot read private key/],
  ])('exits 1 with one line and no stack trace when an SSH host cannot be had (%j)', async (flags, message) => {
    await using out = await tempDir('hostgrid-demo-ssh-');
    const { code, stdout, stderr } = await runCli([
      '--transport', 'ssh', '--hosts', 'x=127.0.0.1', '--slots', '2', '--connect-timeout', '5', ...flags, '--out', out.path,
    ]);
    expect(code).toBe(1);
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^hostgrid-demo: /);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\bat .*:\d+:\d+/);
    expect(stdout).not.toContain('wrote');
    expect(existsSync(join(out.path, 'result.json'))).toBe(false);
  });

  it('exits 1 with one line when the live view cannot have its port', async () => {
    await using out = await tempDir('hostgrid-demo-port-');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const { code, stdout, stderr } = await runCli(['--live-port', String(port), '--rounds', '1', '--out', out.path]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`cannot serve the live view on 127.0.0.1:${port}`);
      expect(stderr).toContain('EADDRINUSE');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('is built with a shebang, ready to be the hostgrid-demo bin', async () => {
    expect(await readFile(distPath('cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});
