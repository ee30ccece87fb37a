import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  cleanupSshLeftovers,
  requireSshInfrastructure,
  type SshHost,
  type SshTestbed,
  startSshHosts,
  type TestbedStartError,
} from './index.js';
import { type CommandResult, isGone, run, tcpAnswers } from './system.js';

/** The OpenSSH client: these tests log in with it as a user would. */
function sshClient(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('[testbed test] the ssh client is missing: apt-get install -y openssh-client');
  }
}

function sshArgs(bed: SshTestbed, host: SshHost, command: string, knownHosts = bed.knownHostsPath): string[] {
  return [
    '-F', '/dev/null',
    '-i', bed.privateKeyPath,
    '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=10',
    `${bed.user}@${host.address}`,
    command,
  ];
}

function ssh(bed: SshTestbed, host: SshHost, command: string, knownHosts?: string): Promise<CommandResult> {
  return run(sshClient(), sshArgs(bed, host, command, knownHosts), { timeoutMs: 20_000 });
}

/** An ssh session left running in the background, killed at the end of the test. */
function sshSession(bed: SshTestbed, host: SshHost, command: string): ChildProcess & AsyncDisposable {
  const child = spawn(sshClient(), sshArgs(bed, host, command), { stdio: 'ignore' });
  return Object.assign(child, {
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`[testbed test] timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Pids of processes in the host's namespace whose command line contains `text`. */
function pidsRunning(bed: SshTestbed, host: SshHost, text: string): number[] {
  return bed.pidsIn(host).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text);
    } catch {
      return false;
    }
  });
}

const ipOut = (...args: string[]): string => execFileSync(requireSshInfrastructure().ip, args, { encoding: 'utf8' });

function hostAt(bed: SshTestbed, i: number): SshHost {
  const host = bed.hosts[i];
  if (!host) throw new Error(`[testbed test] no host #${i}`);
  return host;
}

describe('startSshHosts', () => {
  it('finds sshd, ip, unshare and root on this machine (missing infrastructure fails, never skips)', () => {
    const infra = requireSshInfrastructure();
    expect(infra.sshd).toBe('/usr/sbin/sshd');
    expect(infra.sshdVersion[0]).toBeGreaterThanOrEqual(8);
    sshClient();
  });

  it('gives every host its own address, hostname and host key, checked against the generated known_hosts', async () => {
    await using bed = await startSshHosts({ count: 3 });
    expect(bed.hosts.map((host) => host.name)).toEqual(['h1', 'h2', 'h3']);
    expect(new Set(bed.hosts.map((host) => host.address)).size).toBe(3);
    expect(new Set(bed.hosts.map((host) => host.namespace)).size).toBe(3);
    const subnet = bed.subnet.replace(/0\/24$/, '');
    for (const host of bed.hosts) {
      expect(host.address.startsWith(subnet)).toBe(true);
      expect(host.port).toBe(22);
      expect(bed.pidsIn(host)).toContain(bed.sshdPid(host));
    }
    expect(readFileSync(bed.knownHostsPath, 'utf8')).toBe(
      bed.hosts.map((host) => `${host.address} ssh-ed25519 ${host.hostKey}\n`).join(''),
    );
    const results = await Promise.all(bed.hosts.map((host) => ssh(bed, host, 'hostname')));
    expect(results.map((result) => [result.code, result.stdout.trim()])).toEqual(bed.hosts.map((host) => [0, host.name]));
    const listed = execFileSync('ssh-keygen', ['-l', '-f', bed.knownHostsPath], { encoding: 'utf8' });
    for (const host of bed.hosts) expect(listed).toContain(`${bed.hostKeyFingerprints[host.name]} ${host.address}`);
  });

  it('makes ssh refuse a host whose key is not the one known_hosts lists for its address', async () => {
    await using bed = await startSshHosts({ count: 2 });
    const [h1, h2] = [hostAt(bed, 0), hostAt(bed, 1)];
    const wrong = join(bed.dir, 'wrong_known_hosts');
    await writeFile(wrong, `${h1.address} ssh-ed25519 ${h2.hostKey}\n`);
    const result = await ssh(bed, h1, 'hostname', wrong);
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('cuts a host off silently with linkDown and brings it back with linkUp', async () => {
    await using bed = await startSshHosts({ count: 2 });
    const [h1, h2] = [hostAt(bed, 0), hostAt(bed, 1)];
    const open = connect({ host: h2.address, port: 22 });
    await new Promise((resolve, reject) => open.once('connect', resolve).once('error', reject));
    let closed = false;
    open.on('close', () => (closed = true)).on('error', () => undefined);
    try {
      await bed.linkDown(h2);
      expect(await tcpAnswers(h2.address, 22, 1_000)).toBe(false);
      expect(await tcpAnswers(h1.address, 22, 1_000)).toBe(true);
      // No FIN, no RST: an open connection notices nothing.
      expect(closed).toBe(false);
      await bed.linkUp(h2);
      expect(await tcpAnswers(h2.address, 22, 1_000)).toBe(true);
      const result = await ssh(bed, h2, 'hostname');
      expect(result.stdout.trim()).toBe('h2');
    } finally {
      open.destroy();
    }
  });

  it('runs commands inside a host with exec', async () => {
    await using bed = await startSshHosts({ count: 1 });
    const h1 = hostAt(bed, 0);
    const inside = await bed.exec(h1, 'ip -4 -o addr show dev eth0');
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain(`inet ${h1.address}/24`);
    expect(await bed.exec(h1, ['sh', '-c', 'echo out; echo err >&2; exit 3'])).toMatchObject({
      stdout: 'out\n',
      stderr: 'err\n',
      code: 3,
    });
    expect(() => bed.pidsIn('h9')).toThrow(/no host "h9"/);
  });

  it('kills every process of a host but its sshd, then sshd too, and starts sshd again', async () => {
    await using bed = await startSshHosts({ count: 2 });
    const [h1, h2] = [hostAt(bed, 0), hostAt(bed, 1)];
    const sshd = bed.sshdPid(h1);
    const started = await bed.exec(h1, 'sleep 300 >/dev/null 2>&1 & echo $!');
    const background = Number(started.stdout.trim());
    await using session = sshSession(bed, h1, 'sleep 301');
    await until(() => pidsRunning(bed, h1, 'sleep 301').length === 1, 'the ssh session to start sleep 301');
    const sessionSleep = pidsRunning(bed, h1, 'sleep 301');

    const killed = await bed.killProcesses(h1);
    expect(killed).toEqual(expect.arrayContaining([background, ...sessionSleep]));
    expect([background, ...sessionSleep].every(isGone)).toBe(true);
    expect(bed.sshdPid(h1)).toBe(sshd);
    expect((await ssh(bed, h1, 'hostname')).stdout.trim()).toBe('h1');
    await until(() => session.exitCode !== null || session.signalCode !== null, 'the ssh client to see its command killed');

    await bed.killProcesses(h1, { includeSshd: true });
    expect(bed.sshdPid(h1)).toBeUndefined();
    expect(bed.pidsIn(h1)).toEqual([]);
    expect(await tcpAnswers(h1.address, 22, 1_000)).toBe(false);
    expect((await ssh(bed, h2, 'hostname')).stdout.trim()).toBe('h2');

    await bed.startSshd(h1);
    expect(bed.sshdPid(h1)).not.toBe(sshd);
    expect((await ssh(bed, h1, 'hostname')).stdout.trim()).toBe('h1');
  });

  it('tears down exactly what it made: no namespace, link, process or temp dir is left', async () => {
    const bed = await startSshHosts({ count: 3 });
    const [, h2, h3] = [hostAt(bed, 0), hostAt(bed, 1), hostAt(bed, 2)];
    await bed.exec(h3, 'sleep 300 >/dev/null 2>&1 &');
    await using session = sshSession(bed, h2, 'sleep 302');
    await until(() => pidsRunning(bed, h2, 'sleep 302').length === 1, 'the ssh session to start sleep 302');
    const pids = bed.hosts.flatMap((host) => bed.pidsIn(host));
    expect(pids.length).toBeGreaterThanOrEqual(3 + 2 + 1);
    const names = [bed.bridge, ...bed.hosts.flatMap((host) => [host.namespace, host.veth])];

    await bed[Symbol.asyncDispose]();

    const namespaces = ipOut('netns', 'list');
    const links = ipOut('-o', 'link', 'show');
    for (const name of names) {
      expect(namespaces).not.toMatch(new RegExp(`^${name}\\b`, 'm'));
      expect(links).not.toMatch(new RegExp(`: ${name}[@:]`));
    }
    expect(pids.filter((pid) => !isGone(pid))).toEqual([]);
    expect(existsSync(bed.dir)).toBe(false);
    await until(() => session.exitCode !== null || session.signalCode !== null, 'the ssh client to see its host go');
    await expect(bed[Symbol.asyncDispose]()).resolves.toBeUndefined();
    await expect(bed.linkDown(h2)).rejects.toThrow(/torn down/);
  });

  it('gives two test beds started at once different bridges, subnets and namespaces', async () => {
    const [a, b] = await Promise.all([startSshHosts({ count: 1, name: 'a' }), startSshHosts({ count: 1, name: 'b' })]);
    await using bedA = a;
    await using bedB = b;
    expect(bedA.bridge).not.toBe(bedB.bridge);
    expect(bedA.subnet).not.toBe(bedB.subnet);
    expect(hostAt(bedA, 0).namespace).not.toBe(hostAt(bedB, 0).namespace);
    expect(hostAt(bedA, 0).address).not.toBe(hostAt(bedB, 0).address);
    const [ra, rb] = await Promise.all([ssh(bedA, hostAt(bedA, 0), 'hostname'), ssh(bedB, hostAt(bedB, 0), 'hostname')]);
    expect([ra.stdout.trim(), rb.stdout.trim()]).toEqual(['h1', 'h1']);
  });

  it('removes what it made when a start fails half way, quoting sshd', async () => {
    const failed = startSshHosts({ count: 2, sshdConfig: { NoSuchKeyword: 'yes' } });
    await expect(failed).rejects.toThrow(/sshd of host h\d .* exited with code 255 before it answered: .*NoSuchKeyword/s);
    const error = (await failed.catch((e: unknown) => e)) as TestbedStartError;
    expect(error.name).toBe('TestbedStartError');
    expect(error.bridge).toMatch(/^hgbr\d+$/);
    expect(error.namespaces).toHaveLength(2);
    const links = ipOut('-o', 'link', 'show');
    expect(links).not.toMatch(new RegExp(`: ${error.bridge}[@:]`));
    expect(ipOut('netns', 'list')).not.toMatch(new RegExp(`^(${error.namespaces.join('|')})\\b`, 'm'));
    expect(error.dir && existsSync(error.dir)).toBe(false);
  });

  it('refuses a count out of range before making anything', async () => {
    await expect(startSshHosts({ count: 0 })).rejects.toThrow(/count must be an integer from 1/);
  });
});

describe('cleanupSshLeftovers', () => {
  it('removes a crashed test bed and keeps a live one', async () => {
    await using live = await startSshHosts({ count: 1 });
    const { ip } = requireSshInfrastructure();
    // A crashed test bed, made by hand: its owner is a process that has exited.
    const dead = spawn('true');
    const deadPid = await new Promise<number>((resolve) => dead.once('exit', () => resolve(dead.pid ?? 0)));
    const used = ipOut('-o', 'link', 'show') + ipOut('netns', 'list') + ipOut('-4', '-o', 'addr', 'show');
    let index = 254;
    while (used.includes(`hgbr${index}:`) || used.includes(`hg${index}h`) || used.includes(`10.200.${index}.`)) index -= 1;
    const dir = join(tmpdir(), `hostgrid-testbed-crashed-${index}`);
    const children: ChildProcess[] = [];
    // Should the test fail before cleanupSshLeftovers ran, remove the made-up crash anyway.
    await using _guard = {
      async [Symbol.asyncDispose]() {
        for (const child of children) child.kill('SIGKILL');
        await cleanupSshLeftovers();
      },
    };
    await mkdir(dir);
    await writeFile(join(dir, 'owner.json'), JSON.stringify({ pid: deadPid, start: 1, name: 'crashed', dir }));
    const namespace = `hg${index}h1`;
    execFileSync(ip, ['link', 'add', 'name', `hgbr${index}`, 'type', 'bridge']);
    execFileSync(ip, ['link', 'set', 'dev', `hgbr${index}`, 'alias', `hostgrid-testbed pid=${deadPid} start=1 name=crashed dir=${dir}`]);
    execFileSync(ip, ['netns', 'add', namespace]);
    execFileSync(ip, ['link', 'add', `hg${index}v1`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
    const stray = spawn(ip, ['netns', 'exec', namespace, 'sleep', '300'], { stdio: 'ignore' });
    children.push(stray);
    // And an sshd of the crashed test bed whose namespace lost its name: found by its config.
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    const config = join(dir, 'sshd_config');
    await writeFile(config, `ListenAddress 127.0.0.1:22\nHostKey ${join(dir, 'host_key')}\nPidFile ${join(dir, 'sshd.pid')}\nUsePAM no\n`);
    const orphan = spawn('unshare', ['--net', '/bin/sh', '-c', 'ip link set lo up && exec /usr/sbin/sshd -D -e -f "$0"', config], {
      stdio: 'ignore',
    });
    children.push(orphan);
    const running = (pid: number | undefined, text: string): boolean => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    };
    await until(() => running(stray.pid, 'sleep') && running(orphan.pid, dir), 'the stray processes to start');

    const report = await cleanupSshLeftovers();

    expect(report.namespaces).toContain(namespace);
    expect(report.links).toEqual(expect.arrayContaining([`hgbr${index}`]));
    expect(report.pids).toEqual(expect.arrayContaining([stray.pid, orphan.pid]));
    expect(report.dirs).toContain(dir);
    expect(report.kept).toContain(live.bridge);
    expect(isGone(stray.pid ?? 0) && isGone(orphan.pid ?? 0)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(ipOut('-o', 'link', 'show')).not.toContain(`hg${index}v1`);
    expect(ipOut('netns', 'list')).not.toContain(namespace);
    expect((await ssh(live, hostAt(live, 0), 'hostname')).stdout.trim()).toBe('h1');
  });
});
