import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkerSession } from '@hostgrid/worker';
import { Grid, type HostInfo, type ServerInfo } from '@hostgrid/core';
import { Recorder, memoryTransport, type MemoryTransport } from '@hostgrid/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const transports: MemoryTransport[] = [];
function transport(): MemoryTransport {
  const made = memoryTransport({ serve: createWorkerSession });
  transports.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

/** Resolves with the next `host-added` or rejects with the next `host-failed` of the grid. */
function nextJoin(grid: Grid): Promise<HostInfo> {
  return new Promise((resolve, reject) => {
    grid.once('host-added', resolve);
    grid.once('host-failed', (_name, error) => reject(error));
  });
}

describe('Grid.addHost', () => {
  it('gives a host added after publish a copy of every service, and its servers serve calls', async () => {
    await using grid = await Grid.start({ hosts: [{ name: 'first', slots: 1 }], transport: transport() });
    const a = await grid.publish(new Recorder());
    const b = await grid.publish(new Recorder());
    const added = await grid.addHost({ name: 'late', slots: 2 });
    expect(added.map((s: ServerInfo) => `${s.service}@${s.host}/${s.slot}`)).toEqual([`${a}@late/0`, `${a}@late/1`, `${b}@late/0`, `${b}@late/1`]);
    expect(grid.hosts.map((h) => h.name)).toEqual(['first', 'late']);
    expect(grid.servers(a).map((s) => s.host)).toEqual(['first', 'late', 'late']);
    const results = grid.broadcast<number>(a, 'append', 'x');
    expect(await grid.gather(results)).toEqual([1, 1, 1]);
    // A service published after the host joined is on it too.
    const c = await grid.publish(new Recorder());
    expect(grid.servers(c)).toHaveLength(3);
  });

  it('serves an acquire that was waiting for a free server with the new host', async () => {
    await using grid = await Grid.start({ hosts: ['only'], transport: transport() });
    const id = await grid.publish(new Recorder());
    const held = await grid.acquireService<Recorder>(id);
    const waiting = grid.acquireService<Recorder>(id);
    await grid.addHost('helper');
    const proxy = await waiting;
    expect(grid.servers(id).find((s) => s.busy && s.host === 'helper')).toBeDefined();
    expect(await proxy.append('y')).toBe(1);
    grid.releaseService(proxy);
    grid.releaseService(held);
  });

  it('adds the hosts a transport announces (watchHosts), and reports one that cannot join', async () => {
    const memory = transport();
    await using grid = await Grid.start({ hosts: ['first'], transport: memory });
    const id = await grid.publish(new Recorder());
    const joined = nextJoin(grid);
    memory.join({ name: 'dialed-in', slots: 2 });
    expect(await joined).toMatchObject({ name: 'dialed-in', slots: 2 });
    expect(grid.servers(id).filter((s) => s.host === 'dialed-in')).toHaveLength(2);
    const refused = nextJoin(grid);
    memory.join({ name: 'dialed-in', slots: 1 });
    await expect(refused).rejects.toThrow(/already in the grid, with workers running/);
    const bad = nextJoin(grid);
    memory.join({ name: 'bad', slots: 0 });
    await expect(bad).rejects.toThrow(/"slots" must be a positive integer/);
    expect(grid.hosts.map((h) => h.name)).toEqual(['first', 'dialed-in']);
  });

  it('lets a host whose workers were all lost join again afresh', async () => {
    const memory = transport();
    await using grid = await Grid.start({ hosts: ['stays', { name: 'flaky', slots: 1 }], transport: memory });
    const id = await grid.publish(new Recorder());
    const lost = new Promise((resolve) => grid.once('server-lost', resolve));
    memory.crash('flaky', 0);
    await lost;
    expect(grid.servers(id).map((s) => s.host)).toEqual(['stays']);
    await grid.addHost({ name: 'flaky', slots: 1 });
    expect(grid.servers(id).map((s) => s.host).sort()).toEqual(['flaky', 'stays']);
    expect(grid.hosts.map((h) => h.name)).toEqual(['stays', 'flaky']);
  });

  it('stages the worker and the earlier copyFiles onto the new host, from the files as they are now', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hostgrid-source-'));
    try {
      await writeFile(join(root, 'a.txt'), 'one');
      await using grid = await Grid.start({ hosts: ['first'], transport: transport() });
      await grid.copyFiles(root, ['*.txt']);
      await grid.copyFiles(root, ['*.txt'], { hosts: ['first'] });
      await writeFile(join(root, 'b.txt'), 'two');
      const progress: string[] = [];
      grid.on('staging-progress', (p) => progress.push(p.host));
      await grid.addHost('late');
      const late = grid.tempPath('late');
      expect(late).not.toBe(grid.tempPath('first'));
      expect(await readFile(join(late, 'a.txt'), 'utf8')).toBe('one');
      expect(await readFile(join(late, 'b.txt'), 'utf8')).toBe('two');
      expect(progress).toContain('late');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('leaves nothing of a host whose workers cannot start, and refuses after terminate', async () => {
    const base = transport();
    const failing: MemoryTransport = {
      ...base,
      spawn: async (request, handlers) => {
        if (request.host.name === 'broken' && request.slot === 1) throw new Error('no node on host "broken"');
        return base.spawn(request, handlers);
      },
    };
    const scratch = await mkdtemp(join(tmpdir(), 'hostgrid-add-'));
    try {
      const grid = await Grid.start({ hosts: ['first'], transport: failing });
      const id = await grid.publish(new Recorder());
      const tempPath = join(scratch, 'made-for-broken');
      await expect(grid.addHost({ name: 'broken', slots: 2, tempPath })).rejects.toThrow('no node on host "broken"');
      expect(grid.hosts.map((h) => h.name)).toEqual(['first']);
      expect(grid.servers(id).map((s) => s.host)).toEqual(['first']);
      expect(base.isOpen('broken', 0)).toBe(false);
      await expect(access(tempPath)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(() => grid.tempPath('broken')).toThrow(/no host "broken"/);
      await expect(grid.addHost({ name: 'bad', slots: 0 })).rejects.toThrow(TypeError);
      await grid.terminate({ cleanup: true });
      await expect(grid.addHost('later')).rejects.toMatchObject({ name: 'HaltedError' });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
