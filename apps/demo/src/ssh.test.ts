import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSshHosts } from '@hostgrid/testbed';
import { describe, expect, it } from 'vitest';
import { runCli } from './fixtures/cli.js';
import { tempDir } from './fixtures/temp-dir.js';
import type { ReportData } from './report-data.js';

const FLAGS = ['--rounds', '20', '--sweeps', '4', '--size', '10', '--seed', '21'];

/** One line on stderr, no stack trace, exit 1. */
function expectOneLineFailure(run: { code: number | null; stderr: string }, message: RegExp): void {
  expect(run.code).toBe(1);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^hostgrid-demo: run failed: /);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\bat .*:\d+:\d+/);
}

// Real sshd hosts in network namespaces (@hostgrid/testbed): needs root, openssh-server
// and iproute2, as the SSH transport's own tests do.
describe('the demo over SSH (test bed hosts)', () => {
  it('runs on 2 hosts x 2 slots, writes the sequential result.json, and names refused keys and unknown hosts in one line', { timeout: 120_000 }, async () => {
    await using bed = await startSshHosts({ count: 2, name: 'demo' });
    await using out = await tempDir('hostgrid-demo-ssh-bed-');
    const hosts = bed.hosts.map((h) => `${h.name}=${h.address}`).join(',');
    const login = ['--transport', 'ssh', '--hosts', hosts, '--user', bed.user, '--connect-timeout', '15'];

    const grid = await runCli([...login, '--key', bed.privateKeyPath, '--known-hosts', bed.knownHostsPath, '--slots', '2', ...FLAGS, '--out', join(out.path, 'ssh')]);
    expect(grid.stderr).toBe('');
    expect(grid.code).toBe(0);
    expect(grid.stdout).toContain('servers used: 4');
    const sequential = await runCli([...FLAGS, '--replicas', '4', '--sequential', '--out', join(out.path, 'sequential')]);
    expect(sequential.code).toBe(0);
    const read = (dir: string, file: string): Promise<string> => readFile(join(out.path, dir, file), 'utf8');
    expect(await read('ssh', 'result.json')).toBe(await read('sequential', 'result.json'));
    const report = JSON.parse(await read('ssh', 'report.json')) as ReportData;
    expect(report.run.transport).toBe('ssh');
    expect(report.timeline!.servers.map((s) => `${s.host}/${s.slot}:${s.calls}`)).toEqual(['h1/0:21', 'h1/1:21', 'h2/0:21', 'h2/1:21']);

    // a key the hosts do not know
    const stranger = join(out.path, 'stranger');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const refused = await runCli([...login, '--key', stranger, '--known-hosts', bed.knownHostsPath, ...FLAGS, '--out', join(out.path, 'refused')]);
    expectOneLineFailure(refused, /SshAuthError: ssh host "h\d" \(10\.200\.\d+\.\d+:22\) refused user "root".*--key/);

    // hosts missing from known_hosts
    const empty = join(out.path, 'known_hosts_empty');
    await writeFile(empty, '');
    const unknown = await runCli([...login, '--key', bed.privateKeyPath, '--known-hosts', empty, ...FLAGS, '--out', join(out.path, 'unknown')]);
    expectOneLineFailure(unknown, /HostKeyError: ssh host "h\d" .* is not in .*known_hosts_empty.*--accept-new-host-keys/);
  });
});
