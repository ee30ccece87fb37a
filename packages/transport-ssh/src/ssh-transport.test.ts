import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Grid, type GridOptions } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { isGone, startSshHosts } from '@hostgrid/testbed';
import { sshTransport } from './ssh-transport.js';
import type { SshTransportOptions } from './options.js';

const bed = await startSshHosts({ count: 3, name: 'transport' });
afterAll(() => bed[Symbol.asyncDispose]());

const CORE_DIST = new URL('../../core/dist/', import.meta.url).pathname;
const FIXTURES = ['testing/services/*.js', 'class-registry.js', 'errors.js'];

function transport(options: SshTransportOptions = {}): ReturnType<typeof sshTransport> {
  return sshTransport({ user: bed.user, privateKey: bed.privateKeyPath, knownHosts: bed.knownHostsPath, ...options });
}

function hosts(slots = 1, extra: Record<string, unknown> = {}): GridOptions['hosts'] {
  return bed.hosts.map((host) => ({ name: host.name, address: host.address, slots, ...extra }));
}

async function scratch(): Promise<{ path: string } & AsyncDisposable> {
  const path = await mkdtemp(join(tmpdir(), 'hostgrid-ssh-test-'));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

describe('ssh transport', () => {
  it('publishes and calls across 3 hosts with 2 slots each, each server on its own host', async () => {
    await using grid = await Grid.start({ hosts: hosts(2), transport: transport() });
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder());
    const seen = await grid.gather(grid.broadcast<{ pid: number; hostname: string }>(id, 'whoami'));
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((s) => s.hostname))).toEqual(new Set(bed.hosts.map((host) => host.name)));
    expect(grid.servers(id).map((s) => s.host).sort()).toEqual(['h1', 'h1', 'h2', 'h2', 'h3', 'h3']);
  });

  it('opens more connections when a host has more slots than one connection allows', async () => {
    await using grid = await Grid.start({ hosts: [{ name: bed.hosts[0]!.name, address: bed.hosts[0]!.address, slots: 5 }], transport: transport({ sessionsPerConnection: 2 }) });
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder());
    expect(await grid.gather(grid.broadcast(id, 'append', 'x'))).toEqual([1, 1, 1, 1, 1]);
  });

  it('declares the servers of a host whose link goes down lost within the heartbeat window, and keeps serving with the rest', async () => {
    const victim = bed.hosts[1]!;
    const grid = await Grid.start({ hosts: hosts(1), transport: transport(), heartbeat: { intervalMs: 200, misses: 3 } });
    try {
      await grid.copyFiles(CORE_DIST, FIXTURES);
      const id = await grid.publish(new Recorder());
      // Hold every server, so that the victim's is known; only the victim gets a long call.
      const proxies = await Promise.all(grid.servers(id).map(() => grid.acquireService<Recorder>(id)));
      const whereabouts = await Promise.all(proxies.map((proxy) => proxy.whoami()));
      const onVictim = whereabouts.findIndex((where) => where.hostname === victim.name);
      const lost = expect(proxies[onVictim]!.sleep(30_000)).rejects.toMatchObject({ name: 'WorkerLostError', host: victim.name });
      await bed.linkDown(victim);
      // Keepalives every 200 ms, 3 unanswered: the test's own timeout bounds the wait.
      await lost;
      expect(grid.servers(id).map((s) => s.host)).not.toContain(victim.name);
      const others = proxies.filter((_, i) => i !== onVictim);
      for (const proxy of others) grid.releaseService(proxy);
      expect(await grid.call(id, 'append', ['still serving'])).toBeGreaterThan(0);
    } finally {
      // The link comes back first, so that the grid can remove its folder on that host too.
      await bed.linkUp(victim);
      await grid.terminate({ cleanup: true });
    }
  });

  it('refuses an unknown host key, saying which host and what to do', async () => {
    await using dir = await scratch();
    const empty = join(dir.path, 'known_hosts');
    await writeFile(empty, '');
    await expect(Grid.start({ hosts: hosts(1).slice(0, 1), transport: transport({ knownHosts: empty }) })).rejects.toMatchObject({
      name: 'HostKeyError',
      verdict: 'unknown',
      message: expect.stringMatching(new RegExp(`ssh host "h1" \\(${bed.hosts[0]!.address}:22\\) is not in .*known_hosts.*ssh-keyscan.*acceptNewHostKeys`)),
    });
  });

  it('refuses a changed host key', async () => {
    await using dir = await scratch();
    const wrong = join(dir.path, 'known_hosts');
    const other = (await readFile(bed.knownHostsPath, 'utf8')).split('\n').find((line) => line.startsWith(`${bed.hosts[1]!.address} `))!;
    await writeFile(wrong, `${other.replace(bed.hosts[1]!.address, bed.hosts[0]!.address)}\n`);
    await expect(Grid.start({ hosts: hosts(1).slice(0, 1), transport: transport({ knownHosts: wrong }) })).rejects.toMatchObject({
      name: 'HostKeyError',
      verdict: 'mismatch',
      message: expect.stringMatching(/presented a key that differs .* Refused/),
    });
  });

  it('records new host keys only when told to, and checks them from then on', async () => {
    await using dir = await scratch();
    const file = join(dir.path, 'known_hosts');
    await writeFile(file, '');
    const grid = await Grid.start({ hosts: hosts(1).slice(0, 1), transport: transport({ knownHosts: file, acceptNewHostKeys: true }) });
    await grid.terminate({ cleanup: true });
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(1);
    await using again = await Grid.start({ hosts: hosts(1).slice(0, 1), transport: transport({ knownHosts: file }) });
    expect(again.isHalted()).toBe(false);
  });

  it('stops a worker stuck in a long synchronous call at terminate, and names the signal that killed a worker', async () => {
    const grid = await Grid.start({ hosts: hosts(1).slice(0, 2), transport: transport(), shutdownGraceMs: 300 });
    try {
      await grid.copyFiles(CORE_DIST, FIXTURES);
      const id = await grid.publish(new Recorder());
      const [victim, busy] = grid.servers(id);
      const lost = new Promise<Error>((resolve) => grid.once('server-lost', (_server, error) => resolve(error)));
      await bed.exec(bed.hosts[0]!, `kill -9 ${victim!.pid}`);
      expect((await lost).message).toMatch(/killed by SIGKILL/);
      const proxy = await grid.acquireService<Recorder>(id);
      void proxy.spin(60_000).then(() => undefined, () => undefined);
      await sleep(200);
      // Only a signal stops it now (it cannot read its channel): terminate must send one after the grace.
      await grid.terminate({ cleanup: true });
      expect(isGone(busy!.pid)).toBe(true);
    } finally {
      await grid.terminate({ cleanup: true });
    }
  }, 30_000);

  it('refuses, without crashing, a new host key it was told to record but cannot', async () => {
    await expect(
      Grid.start({ hosts: hosts(1).slice(0, 1), transport: transport({ knownHosts: '/nonexistent-folder/known_hosts', acceptNewHostKeys: true }) }),
    ).rejects.toMatchObject({ name: 'HostKeyError', message: expect.stringMatching(/cannot record its key in \/nonexistent-folder\/known_hosts/) });
  });

  it('refuses a wrong user key with a clear error', async () => {
    await using dir = await scratch();
    const key = join(dir.path, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await expect(Grid.start({ hosts: hosts(1).slice(0, 1), transport: transport({ privateKey: key }) })).rejects.toMatchObject({
      name: 'SshAuthError',
      message: expect.stringMatching(/refused user "root".*privateKey/),
    });
  });

  it('runs initCmd before each worker, and the worker at the host\'s niceness', async () => {
    await using dir = await scratch();
    const marker = join(dir.path, 'init-ran');
    await using grid = await Grid.start({
      hosts: [{ name: bed.hosts[2]!.name, address: bed.hosts[2]!.address, initCmd: `echo "ran on $(hostname)" >> ${marker}; echo noise on stdout`, niceness: 7 }],
      transport: transport(),
    });
    expect(await readFile(marker, 'utf8')).toBe(`ran on ${bed.hosts[2]!.name}\n`);
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder());
    const [first] = await grid.gather(grid.broadcast<{ pid: number }>(id, 'whoami'));
    const pid = first!.pid;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])).toBe(7);
  });

  it('stages through SFTP into a given temp path, keeping modes', async () => {
    await using dir = await scratch();
    await using source = await scratch();
    await writeFile(join(source.path, 'run.sh'), '#!/bin/sh\n');
    await copyFile(join(source.path, 'run.sh'), join(source.path, 'copy.sh'));
    execFileSync('chmod', ['750', join(source.path, 'run.sh')]);
    const tempPath = join(dir.path, 'deep', 'temp');
    await using grid = await Grid.start({ hosts: [{ name: bed.hosts[0]!.name, address: bed.hosts[0]!.address, tempPath }], transport: transport() });
    const report = await grid.copyFiles(source.path, ['*.sh']);
    expect(report.hosts[0]).toMatchObject({ tempPath, filesSent: 2 });
    expect(execFileSync('stat', ['-c', '%a', join(tempPath, 'run.sh')]).toString().trim()).toBe('750');
  });
});
