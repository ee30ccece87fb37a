import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Grid, type HostInfo, type PublishOptions } from '@hostgrid/core';
import { isGone } from '@hostgrid/testbed';
import { describe, expect, it } from 'vitest';
import type { Tasks } from './fixtures/tasks-grid.js';
import { localTransport } from './local-transport.js';

const TASKS = new URL('./fixtures/tasks.mjs', import.meta.url);

/** A local grid of hosts "a" and "b", two worker processes each, with `Tasks` published. */
async function twoHosts(options: PublishOptions = {}): Promise<{ grid: Grid; id: string } & AsyncDisposable> {
  const grid = await Grid.start({ hosts: [{ name: 'a', slots: 2 }, { name: 'b', slots: 2 }], transport: localTransport() });
  try {
    const id = await grid.publish({ module: TASKS, export: 'Tasks' }, options);
    return { grid, id, [Symbol.asyncDispose]: () => grid.terminate({ cleanup: true }) };
  } catch (error) {
    await grid.terminate({ cleanup: true });
    throw error;
  }
}

const pidsOn = (grid: Grid, id: string, host: string): number[] => grid.servers(id).filter((s) => s.host === host).map((s) => s.pid);

/** Waits until every pid is gone, for at most 5 s; returns those still running. */
async function stillRunning(pids: readonly number[]): Promise<number[]> {
  const deadline = Date.now() + 5000;
  let left = pids.filter((pid) => !isGone(pid));
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(25);
    left = left.filter((pid) => !isGone(pid));
  }
  return left;
}

describe('acquireService({ host })', () => {
  it('hands out a server on that host, waiting while its servers are busy, and refuses an unknown host naming the hosts', async () => {
    await using f = await twoHosts();
    const first = await f.grid.acquireService<Tasks>(f.id, { host: 'b' });
    const second = await f.grid.acquireService<Tasks>(f.id, { host: 'b' });
    expect(f.grid.servers(f.id).filter((s) => s.busy).map((s) => s.host)).toEqual(['b', 'b']);
    let third: Awaited<ReturnType<typeof f.grid.acquireService<Tasks>>> | undefined;
    const waiting = f.grid.acquireService<Tasks>(f.id, { host: 'b' }).then((proxy) => (third = proxy));
    // Host "a" has free servers, yet the waiter for "b" waits for one of b's.
    const onA = await f.grid.acquireService<Tasks>(f.id);
    expect(f.grid.servers(f.id).find((s) => s.busy && s.host === 'a')).toBeDefined();
    f.grid.releaseService(onA);
    await sleep(50);
    expect(third).toBeUndefined();
    const pid = await first.note('x');
    f.grid.releaseService(first);
    await waiting;
    expect(await third!.note('y')).toBe(pid);
    f.grid.releaseService(second);
    f.grid.releaseService(third!);
    await expect(f.grid.acquireService(f.id, { host: 'c' })).rejects.toMatchObject({ name: 'HostNotFoundError', message: '[hostgrid] acquireService("Tasks.1"): host "c" is not in the grid; its hosts are: a, b' });
  });

  it('refuses a host none of whose workers serve the service', async () => {
    await using f = await twoHosts();
    for (const pid of pidsOn(f.grid, f.id, 'b')) process.kill(pid, 'SIGKILL');
    while (f.grid.servers(f.id).length > 2) await sleep(20);
    await expect(f.grid.acquireService(f.id, { host: 'b' })).rejects.toMatchObject({ name: 'WorkerLostError', message: expect.stringContaining('has no server on host "b"; its servers are on: a') });
  });
});

describe('grid.removeHost', () => {
  it('lets calls in flight end (drain), hands its servers out no more meanwhile, stops its workers and removes the host', async () => {
    await using f = await twoHosts();
    const pids = pidsOn(f.grid, f.id, 'b');
    const tempPath = f.grid.tempPath('b');
    const removed: HostInfo[] = [];
    f.grid.on('host-removed', (host) => removed.push(host));
    const proxy = await f.grid.acquireService<Tasks>(f.id, { host: 'b' });
    const inFlight = proxy.slow('long', 400);
    const removal = f.grid.removeHost('b');
    // At once: b's servers are draining, and nothing of b is handed out.
    expect(f.grid.servers(f.id).map((s) => `${s.host}:${s.draining}`)).toEqual(['a:false', 'a:false', 'b:true', 'b:true']);
    expect(f.grid.hosts.map((h) => h.name)).toEqual(['a', 'b']);
    await expect(f.grid.acquireService(f.id, { host: 'b' })).rejects.toMatchObject({ name: 'HostNotFoundError', message: expect.stringContaining('host "b" is being removed; its hosts are: a') });
    expect(() => proxy.note('after')).toThrow(/host "b" was removed/);
    const hosts = await f.grid.gather(Array.from({ length: 6 }, (_, i) => f.grid.call<number>(f.id, 'note', [`c${i}`])));
    expect(hosts.every((pid) => !pids.includes(pid))).toBe(true);
    expect(await inFlight).toBe('long');
    const info = await removal;
    expect(info).toEqual({ name: 'b', slots: 2, tempPath });
    expect(removed).toEqual([info]);
    expect(f.grid.hosts.map((h) => h.name)).toEqual(['a']);
    expect(f.grid.servers(f.id).map((s) => s.host)).toEqual(['a', 'a']);
    expect(await stillRunning(pids)).toEqual([]);
    expect(existsSync(tempPath)).toBe(false);
    expect(await f.grid.gather(f.grid.broadcast(f.id, 'note', 'all'))).toHaveLength(2);
  });

  it('with drain: false, rejects the calls in flight with WorkerLostError and stops its workers now', async () => {
    await using f = await twoHosts();
    const pids = pidsOn(f.grid, f.id, 'b');
    const proxy = await f.grid.acquireService<Tasks>(f.id, { host: 'b' });
    const inFlight = expect(proxy.slow('cut', 20_000)).rejects.toMatchObject({ name: 'WorkerLostError', host: 'b', message: expect.stringContaining('host "b" was removed from the grid while calling "Tasks.1.slow"') });
    await f.grid.removeHost('b', { drain: false });
    await inFlight;
    expect(await stillRunning(pids)).toEqual([]);
    expect(f.grid.servers(f.id).map((s) => s.host)).toEqual(['a', 'a']);
  });

  it('cuts a drain short when asked again with drain: false; both calls get the same host', async () => {
    await using f = await twoHosts();
    const proxy = await f.grid.acquireService<Tasks>(f.id, { host: 'b' });
    const inFlight = proxy.slow('cut', 20_000);
    const draining = f.grid.removeHost('b');
    const cutting = f.grid.removeHost('b', { drain: false });
    await expect(inFlight).rejects.toMatchObject({ name: 'WorkerLostError' });
    expect(await cutting).toEqual(await draining);
  });

  it('refuses an unknown host and a host removed already, naming the hosts there are', async () => {
    await using f = await twoHosts();
    await expect(f.grid.removeHost('c')).rejects.toMatchObject({ name: 'HostNotFoundError', host: 'c', message: '[hostgrid] removeHost: host "c" is not in the grid; its hosts are: a, b' });
    await f.grid.removeHost('b');
    await expect(f.grid.removeHost('b')).rejects.toMatchObject({ name: 'HostNotFoundError', message: '[hostgrid] removeHost: host "b" is not in the grid; its hosts are: a' });
    expect(f.grid.servers(f.id)).toHaveLength(2);
  });

  it('removes the last host: calls then fail with WorkerLostError until a host is added again', async () => {
    await using f = await twoHosts();
    await Promise.all([f.grid.removeHost('a'), f.grid.removeHost('b')]);
    expect(f.grid.hosts).toEqual([]);
    expect(f.grid.servers(f.id)).toEqual([]);
    await expect(f.grid.call(f.id, 'note', ['x'])).rejects.toMatchObject({ name: 'WorkerLostError', message: expect.stringContaining('has no servers left') });
    await f.grid.addHost({ name: 'a', slots: 1 });
    expect(typeof (await f.grid.call<number>(f.id, 'note', ['back']))).toBe('number');
  });

  it('ends a waiter for any host with WorkerLostError when the servers being removed were the last', async () => {
    await using f = await twoHosts();
    await f.grid.removeHost('a');
    const held = await Promise.all([f.grid.acquireService<Tasks>(f.id), f.grid.acquireService<Tasks>(f.id)]);
    const waiting = f.grid.acquireService(f.id);
    const removal = f.grid.removeHost('b');
    await expect(waiting).rejects.toMatchObject({ name: 'WorkerLostError' });
    await removal;
    expect(() => held[0]!.note('x')).toThrow(/host "b" was removed/);
  });

  it('during a map, sends the items to the other host: every item ends once, in order', async () => {
    await using f = await twoHosts();
    const bPids = pidsOn(f.grid, f.id, 'b');
    let sent = 0;
    let removal: Promise<HostInfo> | undefined;
    f.grid.on('call-started', (call) => {
      sent++;
      if (call.host === 'b' && removal === undefined) removal = f.grid.removeHost('b');
    });
    const items = Array.from({ length: 20 }, (_, i): [string, number] => [`item-${i}`, 20]);
    const results = await f.grid.map<string>(f.id, 'slow', items, { spread: true }).toArray();
    expect(results).toEqual(items.map(([entry]) => entry));
    expect(sent).toBe(20);
    await removal;
    expect(await stillRunning(bPids)).toEqual([]);
    // Whatever b had not run went to a; b ran only what it had before the removal.
    const ranOnA = (await f.grid.gather(f.grid.broadcast<ReturnType<Tasks['state']>>(f.id, 'state'))).flatMap((s) => s.log);
    expect(ranOnA.length).toBeGreaterThanOrEqual(20 - 2);
    expect(new Set(ranOnA).size).toBe(ranOnA.length);
  });

  it('during a map with drain: false and retries, sends the cut items to the other host and loses none', async () => {
    await using f = await twoHosts();
    let removal: Promise<HostInfo> | undefined;
    f.grid.on('call-started', (call) => {
      if (call.host === 'b' && removal === undefined) removal = f.grid.removeHost('b', { drain: false });
    });
    const items = Array.from({ length: 12 }, (_, i): [string, number] => [`item-${i}`, 30]);
    const results = await f.grid.map<string>(f.id, 'slow', items, { spread: true, retries: 1 }).toArray();
    expect(results).toEqual(items.map(([entry]) => entry));
    await removal;
    expect(f.grid.hosts.map((h) => h.name)).toEqual(['a']);
  });

  it('does not restart the servers of a removed host, and a later addHost of that name works', async () => {
    await using f = await twoHosts({ restart: { maxRestarts: 3, backoffMs: 100 } });
    const events: string[] = [];
    f.grid.on('server-restarted', (s) => events.push(`restarted ${s.host}/${s.slot}`));
    f.grid.on('server-given-up', (s) => events.push(`given up ${s.host}/${s.slot}`));
    const lost = new Promise((resolve) => f.grid.once('server-lost', resolve));
    process.kill(pidsOn(f.grid, f.id, 'b')[0]!, 'SIGKILL');
    await lost;
    await f.grid.removeHost('b');
    // Past the restart's backoff: nothing comes back on b.
    await sleep(400);
    expect(events).toEqual([]);
    expect(f.grid.servers(f.id).map((s) => s.host)).toEqual(['a', 'a']);
    const added = await f.grid.addHost({ name: 'b', slots: 2 });
    expect(added.map((s) => `${s.host}/${s.slot}`)).toEqual(['b/0', 'b/1']);
    expect(f.grid.servers(f.id).map((s) => s.host)).toEqual(['a', 'a', 'b', 'b']);
    const onB = await f.grid.acquireService<Tasks>(f.id, { host: 'b' });
    expect(typeof (await onB.note('x'))).toBe('number');
    f.grid.releaseService(onB);
  });

  it('reports a worker lost while its host drains as server-lost, restarts nothing, and still removes the host', async () => {
    await using f = await twoHosts({ restart: { maxRestarts: 3, backoffMs: 10 } });
    const events: string[] = [];
    f.grid.on('server-lost', (s) => events.push(`lost ${s.host}/${s.slot} draining=${s.draining}`));
    f.grid.on('server-restarted', (s) => events.push(`restarted ${s.host}/${s.slot}`));
    f.grid.on('server-given-up', (s) => events.push(`given up ${s.host}/${s.slot}`));
    const proxy = await f.grid.acquireService<Tasks>(f.id, { host: 'b' });
    const { slot, pid } = f.grid.servers(f.id).find((s) => s.host === 'b' && s.busy)!;
    const inFlight = expect(proxy.slow('dies', 20_000)).rejects.toMatchObject({ name: 'WorkerLostError', host: 'b', slot });
    const removal = f.grid.removeHost('b');
    process.kill(pid, 'SIGKILL');
    await inFlight;
    expect(f.grid.servers(f.id).map((s) => `${s.host}:${s.draining}`)).toEqual(['a:false', 'a:false', 'b:true']);
    await removal;
    await sleep(100);
    expect(events).toEqual([`lost b/${slot} draining=true`]);
    expect(f.grid.servers(f.id).map((s) => s.host)).toEqual(['a', 'a']);
  });

  it('ends a drain cut short by terminate with HaltedError, and leaves no worker running', async () => {
    // Terminated by the test itself; disposing again at the end is a no-op, and cleans up should it fail before.
    await using f = await twoHosts();
    const pids = f.grid.servers(f.id).map((s) => s.pid);
    const proxy = await f.grid.acquireService<Tasks>(f.id, { host: 'b' });
    const inFlight = expect(proxy.slow('never', 20_000)).rejects.toMatchObject({ name: 'HaltedError' });
    const removal = expect(f.grid.removeHost('b')).rejects.toMatchObject({ name: 'HaltedError', message: expect.stringContaining('terminated while host "b" was being removed') });
    await f.grid.terminate({ cleanup: true });
    await inFlight;
    await removal;
    expect(await stillRunning(pids)).toEqual([]);
  });
});
