import { Grid, type ServerInfo } from '@hostgrid/core';
import { describe, expect, it } from 'vitest';
import { localTransport } from './local-transport.js';

const HOSTILE = new URL('./fixtures/hostile.mjs', import.meta.url);
const TASKS = new URL('./fixtures/tasks.mjs', import.meta.url);

interface Thrower {
  throwSync(kind: string): never;
  throwAsync(kind: string): Promise<never>;
  pid(): number;
}

/** The thrown values of `fixtures/hostile.mjs`, and the remote name each becomes. */
const KINDS: ReadonlyArray<readonly [kind: string, remoteName: string | RegExp]> = [
  ['revoked proxy', 'NonErrorThrown'],
  ['throwing name', 'Error'],
  ['throwing message', 'Error'],
  ['throwing stack', 'Error'],
  ['throwing own property', 'Error'],
  ['throwing toString', 'NonErrorThrown'],
  ['throwing toString and Symbol.toPrimitive', 'NonErrorThrown'],
  ['revoked proxy as cause', 'Error'],
  ['proxy whose every trap throws', 'NonErrorThrown'],
  ['symbol', 'NonErrorThrown'],
  ['null', 'NonErrorThrown'],
  ['undefined', 'NonErrorThrown'],
  ['cyclic cause', 'CyclicError'],
];

async function gridOf(slots: number): Promise<Grid> {
  return Grid.start({ hosts: [{ name: 'local', slots }], transport: localTransport() });
}

describe('a class with a method named "then"', () => {
  it('is refused at publish with ThenableServiceError, nothing stays published, and no server is held', async () => {
    await using grid = await gridOf(1);
    await expect(grid.publish({ module: HOSTILE, export: 'Deferred' })).rejects.toMatchObject({
      name: 'ThenableServiceError',
      method: 'then',
      message: expect.stringMatching(/cannot publish "Deferred\.1": class Deferred has a method named "then"/),
    });
    expect(grid.services()).toEqual([]);
    // The worker is free for the next service: acquire does not wait.
    const id = await grid.publish({ module: TASKS, export: 'Tasks' });
    const proxy = await grid.acquireService<{ note(entry: string): number }>(id, { timeout: 5_000 });
    expect(typeof (await proxy.note('after'))).toBe('number');
  });
});

describe('thrown values that cannot be inspected', () => {
  it.each(['throwSync', 'throwAsync'] as const)('each becomes a RemoteError from %s, and the worker lives', async (method) => {
    await using grid = await gridOf(1);
    const id = await grid.publish({ module: HOSTILE, export: 'Thrower' });
    const lost: ServerInfo[] = [];
    grid.on('server-lost', (server) => lost.push(server));
    const proxy = await grid.acquireService<Thrower>(id);
    const pid = await proxy.pid();
    for (const [kind, remoteName] of KINDS) {
      await expect(proxy[method](kind).get(10_000), kind).rejects.toMatchObject({ name: 'RemoteError', remoteName, method });
    }
    expect(await proxy.pid()).toBe(pid);
    expect(lost).toEqual([]);
  });
});

describe('restart budget spent by restarts that worked', () => {
  it('gives the slot up (server-given-up) when the server is lost once more, and its waiters reject', async () => {
    await using grid = await gridOf(1);
    const maxRestarts = 2;
    const id = await grid.publish({ module: TASKS, export: 'Tasks' }, { restart: { maxRestarts, backoffMs: 5 } });
    const givenUp: unknown[][] = [];
    grid.on('server-given-up', (...args) => givenUp.push(args));
    for (let restart = 1; restart <= maxRestarts; restart++) {
      const [server] = grid.servers(id);
      const restarted = new Promise<number>((resolve) => grid.once('server-restarted', (_info, restarts) => resolve(restarts)));
      process.kill(server!.pid, 'SIGKILL');
      expect(await restarted).toBe(restart);
    }
    const holder = await grid.acquireService<{ state(): { pid: number } }>(id);
    const { pid } = await holder.state();
    const waiter = grid.acquireService(id);
    const announced = new Promise<unknown[]>((resolve) => grid.once('server-given-up', (...args) => resolve(args)));
    process.kill(pid, 'SIGKILL');
    await expect(waiter).rejects.toMatchObject({ name: 'WorkerLostError', service: id });
    const [slot, error] = (await announced) as [unknown, Error];
    expect(slot).toEqual({ service: id, host: 'local', slot: 0 });
    expect(error).toMatchObject({ name: 'WorkerLostError', host: 'local', slot: 0, service: id });
    expect(error.message).toMatch(/gave up restarting "Tasks\.1" on host "local" slot 0: its worker was lost with 2 of 2 restarts used/);
    expect(givenUp).toHaveLength(1);
    expect(grid.servers(id)).toEqual([]);
  });
});
