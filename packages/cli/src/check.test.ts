import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startSshHosts } from '@hostgrid/testbed';
import { runCli, type CliRun } from './fixtures/cli-process.js';
import { immutableDir, scratch } from './fixtures/scratch.js';

const bed = await startSshHosts({ count: 3, name: 'cli' });
afterAll(() => bed[Symbol.asyncDispose]());

/** The private key's base64 body: no output may ever hold any of it. */
const KEY_LINES = (await readFile(bed.privateKeyPath, 'utf8')).split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
const HOSTS = bed.hosts.map((host) => `${host.name}=${host.address}`);
const SSH = ['--key', bed.privateKeyPath, '--known-hosts', bed.knownHostsPath, '--connect-timeout', '5'];

/** Runs `hostgrid check`, and checks that nothing it wrote holds the private key. */
async function check(args: readonly string[]): Promise<CliRun & { lines: string[] }> {
  const run = await runCli(['check', ...args]);
  for (const line of KEY_LINES) {
    expect(run.stdout).not.toContain(line);
    expect(run.stderr).not.toContain(line);
  }
  return { ...run, lines: run.stdout.trimEnd().split('\n') };
}

/** The line of host `name`. */
function lineOf(run: { lines: string[] }, name: string): string {
  const found = run.lines.filter((line) => new RegExp(`^(ok  |FAIL)  ${name} `).test(line));
  expect(found).toHaveLength(1);
  return found[0]!;
}

const ALL_PASSED = /^ok {4}h\d +root@10\.200\.\d+\.\d+:22 {2}reachable, host key known, login accepted, node v\d+\.\d+\.\d+, sftp, \/tmp writable, worker answered$/;

describe('hostgrid check on real sshd hosts', () => {
  it('passes 3 good hosts: exit 0, one ok line per host listing every step, then the summary', async () => {
    const run = await check([...HOSTS, ...SSH]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.lines).toHaveLength(4);
    run.lines.slice(0, 3).forEach((line, i) => {
      expect(line).toMatch(ALL_PASSED);
      expect(line).toContain(` h${i + 1}  root@${bed.hosts[i]!.address}:22 `);
    });
    expect(run.lines[3]).toBe('3 hosts checked: all passed');
  });

  it('starts --slots workers per host, each answering its call, from a hosts file', async () => {
    await using dir = await scratch();
    const file = join(dir.path, 'hosts');
    await writeFile(file, `# test bed\n${HOSTS.slice(0, 2).map((host) => `root@${host}`).join('\n')}\n`);
    const run = await check(['--hosts-file', file, '--slots', '3', ...SSH]);
    expect(run.code).toBe(0);
    expect(lineOf(run, 'h1')).toMatch(/, 3 workers answered$/);
    expect(lineOf(run, 'h2')).toMatch(/, 3 workers answered$/);
  });

  it('fails a host whose key is not in known_hosts, giving its fingerprint and the ssh-keyscan line; the others pass', async () => {
    await using dir = await scratch();
    const knownHosts = join(dir.path, 'known_hosts');
    const h2 = bed.hosts[1]!;
    const lines = (await readFile(bed.knownHostsPath, 'utf8')).split('\n').filter((line) => !line.startsWith(`${h2.address} `));
    await writeFile(knownHosts, lines.join('\n'));
    const run = await check([...HOSTS, ...SSH, '--known-hosts', knownHosts]);
    expect(run.code).toBe(1);
    expect(lineOf(run, 'h1')).toMatch(ALL_PASSED);
    expect(lineOf(run, 'h3')).toMatch(ALL_PASSED);
    expect(lineOf(run, 'h2')).toBe(
      `FAIL  h2  root@${h2.address}:22  reachable; host key: host key of ${h2.address} (ssh-ed25519 ${bed.hostKeyFingerprints[h2.name]}) is not in ${knownHosts}: ` +
        `after checking that fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there), run ssh-keyscan -p 22 -t ed25519 ${h2.address} >> ${knownHosts}`,
    );
    expect(run.lines.at(-1)).toBe('3 hosts checked: 1 failed (h2: host key)');
    // The check never writes to known_hosts.
    expect(await readFile(knownHosts, 'utf8')).toBe(lines.join('\n'));
  });

  it('fails the login with a key the hosts do not authorise, and with a user they do not know, naming the key file', async () => {
    await using dir = await scratch();
    const other = join(dir.path, 'other_key');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherLines = (await readFile(other, 'utf8')).split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
    const wrongKey = await check([HOSTS[0]!, ...SSH, '--key', other]);
    expect(wrongKey.code).toBe(1);
    expect(lineOf(wrongKey, 'h1')).toMatch(/^FAIL {2}h1 {2}\S+ {2}reachable, host key known; login: root@10\.200\.\d+\.11 was refused: .*: check that .*other_key\.pub is in ~root\/\.ssh\/authorized_keys on the host/);
    for (const line of otherLines) expect(wrongKey.stdout + wrongKey.stderr).not.toContain(line);

    const wrongUser = await check([`nobody@${HOSTS[0]!}`, ...SSH]);
    expect(wrongUser.code).toBe(1);
    expect(lineOf(wrongUser, 'h1')).toMatch(/^FAIL {2}h1 {2}nobody@10\.200\.\d+\.11:22 {2}reachable, host key known; login: nobody@\S+ was refused: .*~nobody\/\.ssh\/authorized_keys/);
  });

  it('fails an address on the bridge that never answers once --connect-timeout has passed, and checks the others meanwhile', async () => {
    const silent = bed.bridgeAddress.replace(/\.1$/, '.99');
    const run = await check([...HOSTS, `ghost=${silent}`, ...SSH, '--connect-timeout', '2']);
    expect(run.code).toBe(1);
    expect(lineOf(run, 'ghost')).toMatch(new RegExp(`^FAIL {2}ghost {2}root@${silent.replace(/\./g, '\\.')}:22 {2}reach: (no answer from \\S+ within 2 s|cannot connect to \\S+: EHOSTUNREACH): check the address`));
    for (const host of ['h1', 'h2', 'h3']) expect(lineOf(run, host)).toMatch(ALL_PASSED);
    expect(run.lines.at(-1)).toBe('4 hosts checked: 1 failed (ghost: reach)');
  });

  it('fails a temp path the login user cannot write in, naming it', async () => {
    await using dir = await scratch();
    await using readOnly = await immutableDir(dir.path);
    const below = await check([HOSTS[0]!, ...SSH, '--temp-path', join(readOnly.path, 'grid')]);
    expect(below.code).toBe(1);
    expect(lineOf(below, 'h1')).toMatch(new RegExp(`, sftp; temp path: cannot make ${join(readOnly.path, 'grid')}: Permission denied: give --temp-path \\(the hosts' tempPath\\) a folder root may write to$`));
    const inside = await check([HOSTS[0]!, ...SSH, '--temp-path', readOnly.path]);
    expect(lineOf(inside, 'h1')).toContain(`; temp path: cannot make a folder in ${readOnly.path}: Permission denied`);
  });

  it('checks a writable --temp-path and leaves nothing in it', async () => {
    await using dir = await scratch();
    const tempPath = join(dir.path, 'made', 'by', 'check');
    const run = await check([HOSTS[0]!, ...SSH, '--temp-path', tempPath]);
    expect(run.code).toBe(0);
    expect(lineOf(run, 'h1')).toContain(`, sftp, ${tempPath} writable, worker answered`);
    expect(await promisify(execFile)('find', [dir.path, '-mindepth', '1'])).toMatchObject({ stdout: '' });
  });

  it('fails a node that is too old or missing, saying what to install or pass', async () => {
    await using dir = await scratch();
    const old = join(dir.path, 'node');
    await writeFile(old, '#!/bin/sh\necho v18.19.1\n');
    await chmod(old, 0o755);
    const tooOld = await check([...HOSTS.slice(0, 2), ...SSH, '--node', old]);
    expect(tooOld.code).toBe(1);
    for (const host of ['h1', 'h2']) {
      expect(lineOf(tooOld, host)).toMatch(
        new RegExp(`login accepted; node: ${old} is Node\\.js v18\\.19\\.1, older than 20\\.19: install Node\\.js 20\\.19 or later on the host .*or give its path with --node$`),
      );
    }
    const missing = await check([HOSTS[0]!, ...SSH, '--node', join(dir.path, 'no-such-node')]);
    expect(missing.code).toBe(1);
    expect(lineOf(missing, 'h1')).toContain(`; node: ${join(dir.path, 'no-such-node')} is not there or not executable: install Node.js 20.19 or later`);
  });

  it('fails the worker step with the worker\'s own words when node passes the version check but cannot run a worker', async () => {
    await using dir = await scratch();
    const broken = join(dir.path, 'node');
    await writeFile(broken, '#!/bin/sh\nif [ "$1" = --version ]; then echo v22.1.0; exit 0; fi\necho "this node is broken" >&2\nexit 3\n');
    await chmod(broken, 0o755);
    const run = await check([HOSTS[0]!, ...SSH, '--node', broken]);
    expect(run.code).toBe(1);
    expect(lineOf(run, 'h1')).toMatch(/, \/tmp writable; worker: WorkerLostError: worker for host "h1" slot 0 ended before it was ready \(exited with code 3\); its stderr ends: this node is broken: /);
  });

  it('refuses bad input in one line on stderr with exit 2: an unknown option, bad host syntax, a key that is not a private key', async () => {
    const unknown = await check([HOSTS[0]!, '--passphrase=hunter2']);
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: 'hostgrid: check: unknown option --passphrase (see hostgrid check --help)\n' });
    const badHost = await check(['root@h1=10.0.0.1:22:22', ...SSH]);
    expect(badHost.code).toBe(2);
    expect(badHost.stderr).toMatch(/^hostgrid: bad host "root@h1=10\.0\.0\.1:22:22": .*\n$/);
    const publicKey = await check([HOSTS[0]!, ...SSH, '--key', bed.publicKeyPath]);
    expect(publicKey).toMatchObject({ code: 2, stderr: `hostgrid: check: --key ${bed.publicKeyPath} is not a private key (give the file without .pub)\n` });
  });
});
