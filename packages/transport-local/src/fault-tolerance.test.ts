import { setTimeout as sleep } from 'node:timers/promises';
import { Grid, callOptions, type GridOptions, type ServerInfo, type Transport } from '@hostgrid/core';
import { describe, expect, it } from 'vitest';
import { isGone } from '@hostgrid/testbed';
import { localTransport } from './local-transport.js';

const TASKS = new URL('./fixtures/tasks.mjs', import.meta.url);

interface Tasks {
  note(entry: string): number;
  slow(entry: string, ms: number): string;
  spin(ms: number): number;
  state(): { label: string; log: string[]; pid: number };
}

async function gridOf(slots: number, options: Partial<GridOptions> = {}): Promise<Grid & AsyncDisposable> {
  return Grid.start({ hosts: [{ name: 'local', slots }], transport: localTransport(), ...options });
}

/** Resolves with the next event of `name` (and its arguments). */
function next<E extends 'server-restarted' | 'server-given-up' | 'server-lost'>(grid: Grid, name: E): Promise<unknown[]> {
  return new Promise((resolve) => grid.once(name, ((...args: unknown[]) => resolve(args)) as never));
}

describe('cancellation', () => {
  it('drops a queued call when its signal aborts, and lets a started one finish', async () => {
    await using grid = await gridOf(1);
    const id = await grid.publish({ module: TASKS, export: 'Tasks' });
    const proxy = await grid.acquireService<Tasks>(id);
    const started = new AbortController();
    const queued = new AbortController();
    const running = proxy.slow('running', 300, callOptions({ signal: started.signal }));
    const dropped = proxy.note('dropped', callOptions({ signal: queued.signal }));
    const after = proxy.note('after');
    queued.abort(new Error('not needed'));
    started.abort(new Error('stop waiting'));
    await expect(dropped).rejects.toThrow('not needed');
    await expect(running).rejects.toThrow('stop waiting');
    await after;
    // The started call ran to its end; the queued one never ran.
    expect((await proxy.state()).log).toEqual(['running', 'after']);
  });

  it('keeps the server held until an aborted call that had started has ended', async () => {
    await using grid = await gridOf(1);
    const id = await grid.publish({ module: TASKS, export: 'Tasks' });
    const proxy = await grid.acquireService<Tasks>(id);
    const abort = new AbortController();
    const running = proxy.slow('long', 400, callOptions({ signal: abort.signal }));
    grid.releaseService(proxy);
    abort.abort(new Error('gave up'));
    await expect(running).rejects.toThrow('gave up');
    await expect(grid.acquireService(id, { timeout: 50 })).rejects.toMatchObject({ name: 'TimeoutError' });
    const again = await grid.acquireService<Tasks>(id);
    expect((await again.state()).log).toEqual(['long']);
  });

  it('sends nothing for a call whose signal is already aborted', async () => {
    await using grid = await gridOf(1);
    const id = await grid.publish({ module: TASKS, export: 'Tasks' });
    const proxy = await grid.acquireService<Tasks>(id);
    await expect(proxy.note('never', callOptions({ signal: AbortSignal.abort(new Error('already')) }))).rejects.toThrow('already');
    expect((await proxy.state()).log).toEqual([]);
  });
});

describe('grid.call and retries', () => {
  it('runs a call on any free server and frees it after', async () => {
    await using grid = await gridOf(2);
    const id = await grid.publish({ module: TASKS, export: 'Tasks' });
    const pids = await Promise.all([grid.call<number>(id, 'note', ['a']), grid.call<number>(id, 'note', ['b'])]);
    expect(new Set(pids).size).toBe(2);
    expect(grid.servers(id).every((server) => !server.busy)).toBe(true);
  });

  it('retries a call on another server when its server is lost, only when asked to', async () => {
    await using grid = await gridOf(2);
    const id = await grid.publish({ module: TASKS, export: 'Tasks' }, { retry: { methods: ['slow'], attempts: 1 } });
    const first = grid.call<string>(id, 'slow', ['retried', 300]);
    await sleep(50);
    const victim = grid.servers(id).find((server) => server.busy)!;
    process.kill(victim.pid, 'SIGKILL');
    expect(await first).toBe('retried');
    expect(grid.servers(id)).toHaveLength(1);
    const survivor = grid.servers(id)[0]!;
    expect(survivor.pid).not.toBe(victim.pid);

    const notRetried = grid.call(id, 'note', ['once'], { retries: 0 });
    process.kill(survivor.pid, 'SIGKILL');
    await expect(notRetried).rejects.toMatchObject({ name: 'WorkerLostError' });
  });
});

describe('restart policy', () => {
  it('replaces a killed server with a fresh worker whose copy is made from what was published', async () => {
    await using grid = await gridOf(2);
    const id = await grid.publish({ module: TASKS, export: 'Tasks', args: ['fresh'] }, { restart: { maxRestarts: 2, backoffMs: 10 } });
    const proxy = await grid.acquireService<Tasks>(id);
    await proxy.note('built up');
    const { pid } = await proxy.state();
    const restarted = next(grid, 'server-restarted');
    process.kill(pid, 'SIGKILL');
    const [server, restarts] = (await restarted) as [ServerInfo, number];
    expect(restarts).toBe(1);
    expect(server.pid).not.toBe(pid);
    expect(grid.servers(id)).toHaveLength(2);
    const states = await grid.gather(grid.broadcast<ReturnType<Tasks['state']>>(id, 'state'));
    const fresh = states.find((state) => state.pid === server.pid)!;
    // State built up since publish is not carried over.
    expect(fresh).toMatchObject({ label: 'fresh', log: [] });
  });

  it('keeps waiters waiting for the restart when the last server is lost', async () => {
    await using grid = await gridOf(1);
    const id = await grid.publish({ module: TASKS, export: 'Tasks' }, { restart: { maxRestarts: 1, backoffMs: 10 } });
    const holder = await grid.acquireService<Tasks>(id);
    const { pid } = await holder.state();
    const waiter = grid.acquireService<Tasks>(id);
    process.kill(pid, 'SIGKILL');
    const proxy = await waiter;
    expect((await proxy.state()).pid).not.toBe(pid);
  });

  it('gives a slot up after maxRestarts failed starts, and then rejects its waiters', async () => {
    const base = localTransport();
    let starts = 0;
    const transport: Transport = {
      ...base,
      name: base.name,
      files: (host, link) => base.files(host, link),
      close: () => base.close(),
      spawn: (request, handlers) => (++starts > 1 ? Promise.reject(new Error('host unreachable')) : base.spawn(request, handlers)),
    };
    await using grid = await gridOf(1, { transport });
    const id = await grid.publish({ module: TASKS, export: 'Tasks' }, { restart: { maxRestarts: 2, backoffMs: 5 } });
    const holder = await grid.acquireService<Tasks>(id);
    const { pid } = await holder.state();
    const waiter = grid.acquireService(id);
    const givenUp = next(grid, 'server-given-up');
    process.kill(pid, 'SIGKILL');
    const [slot, error] = (await givenUp) as [unknown, Error];
    expect(slot).toEqual({ service: id, host: 'local', slot: 0 });
    expect(error.message).toMatch(/gave up restarting .* after 2 attempts: .*host unreachable/);
    await expect(waiter).rejects.toMatchObject({ name: 'WorkerLostError' });
    expect(starts).toBe(3);
  });
});

/** The local transport, counting the workers it starts. */
function counting(): { transport: Transport; spawns: () => number } {
  const base = localTransport();
  let count = 0;
  const transport: Transport = {
    name: base.name,
    files: (host, link) => base.files(host, link),
    close: () => base.close(),
    spawn: (request, handlers) => {
      count++;
      return base.spawn(request, handlers);
    },
  };
  return { transport, spawns: () => count };
}

describe('terminate while things are under way', () => {
  it('during publish: the publish rejects, and no worker is left', async () => {
    const grid = await gridOf(2);
    const pids = grid.servers(await grid.publish({ module: TASKS, export: 'Tasks' })).map((server) => server.pid);
    const publishing = expect(grid.publish({ module: new URL('./fixtures/slow-import.mjs', import.meta.url), export: 'Slow' })).rejects.toMatchObject({ name: 'HaltedError' });
    await sleep(50);
    await grid.terminate({ cleanup: true });
    await publishing;
    for (const pid of pids) expect(isGone(pid)).toBe(true);
  });

  it('during a restart backoff: no worker is started after it', async () => {
    const { transport, spawns } = counting();
    const grid = await gridOf(1, { transport });
    const id = await grid.publish({ module: TASKS, export: 'Tasks' }, { restart: { maxRestarts: 3, backoffMs: 300 } });
    const [server] = grid.servers(id);
    const lost = next(grid, 'server-lost');
    process.kill(server!.pid, 'SIGKILL');
    await lost;
    await grid.terminate({ cleanup: true });
    await sleep(400);
    expect(spawns()).toBe(1);
  });

  it('terminate(id) during a restart: the restarted worker gets no copy of the dropped service', async () => {
    const { transport, spawns } = counting();
    await using grid = await gridOf(1, { transport });
    const id = await grid.publish({ module: new URL('./fixtures/slow-import.mjs', import.meta.url), export: 'Slow' }, { restart: { maxRestarts: 2, backoffMs: 200 } });
    const events: string[] = [];
    grid.on('server-restarted', () => events.push('restarted'));
    grid.on('server-given-up', () => events.push('given up'));
    const [server] = grid.servers(id);
    const lost = next(grid, 'server-lost');
    process.kill(server!.pid, 'SIGKILL');
    await lost;
    await grid.terminate(id);
    await sleep(400);
    expect(events).toEqual([]);
    expect(grid.services()).toEqual([]);
    expect(spawns()).toBe(1);
  });

  it('setLoader after a restart was cancelled leaves one worker per slot', async () => {
    await using grid = await gridOf(1);
    const id = await grid.publish({ module: TASKS, export: 'Tasks' }, { restart: { maxRestarts: 2, backoffMs: 100 } });
    const [server] = grid.servers(id);
    const lost = next(grid, 'server-lost');
    process.kill(server!.pid, 'SIGKILL');
    await lost;
    await grid.terminate(id);
    await grid.setLoader(new URL('./fixtures/loader.mjs', import.meta.url).pathname);
    await sleep(300);
    const again = await grid.publish({ module: TASKS, export: 'Tasks' });
    expect(grid.servers(again)).toHaveLength(1);
  });
});
