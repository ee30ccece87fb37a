import { MapFailure, type Grid } from '@hostgrid/core';
import { describe, expect, it } from 'vitest';
import { tasksGrid, type Tasks } from './fixtures/tasks-grid.js';

/** What every live server of the service ran, in one list. */
async function ranOnServers(grid: Grid, id: string): Promise<string[]> {
  const states = await grid.gather(grid.broadcast<ReturnType<Tasks['state']>>(id, 'state'));
  return states.flatMap((state) => state.log).sort();
}

/** SIGKILLs the worker of slot `slot` as soon as a call is sent to it (the call is then under way, or about to be). */
function killOnFirstCall(grid: Grid, id: string, slots: readonly number[]): void {
  const pids = new Map(grid.servers(id).map((server) => [server.slot, server.pid]));
  const left = new Set(slots);
  grid.on('call-started', (call) => {
    if (!left.delete(call.slot)) return;
    process.kill(pids.get(call.slot)!, 'SIGKILL');
  });
}

const entries = (n: number, ms: number): Array<[string, number]> => Array.from({ length: n }, (_, i) => [`item-${String(i).padStart(2, '0')}`, ms]);

describe('grid.map on worker processes', () => {
  it('sends an item whose server was killed to another server with retries, and runs every item once', async () => {
    await using f = await tasksGrid(2);
    killOnFirstCall(f.grid, f.id, [0]);
    const items = entries(8, 30);
    expect(await f.grid.map<string>(f.id, 'slow', items, { spread: true, retries: 1 }).toArray()).toEqual(items.map(([entry]) => entry));
    expect(f.grid.servers(f.id)).toHaveLength(1);
    // The killed server had finished nothing: the survivor ran every item, none twice.
    expect(await ranOnServers(f.grid, f.id)).toEqual(items.map(([entry]) => entry));
  });

  it("without retries, yields the lost item's WorkerLostError with onError: 'yield' and runs the rest on the survivor", async () => {
    await using f = await tasksGrid(2);
    killOnFirstCall(f.grid, f.id, [0]);
    const items = entries(6, 30);
    const results = await f.grid.map<string>(f.id, 'slow', items, { spread: true, onError: 'yield' }).toArray();
    const failures = results.filter((item): item is MapFailure => item instanceof MapFailure);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toMatchObject({ name: 'WorkerLostError' });
    const ran = results.filter((item): item is string => typeof item === 'string');
    expect(ran).toEqual(items.map(([entry]) => entry).filter((_, i) => i !== failures[0]!.index));
    expect(await ranOnServers(f.grid, f.id)).toEqual(ran);
  });

  it('ends with WorkerLostError when every server is lost mid-map, saying the rest were not run', async () => {
    await using f = await tasksGrid(2);
    killOnFirstCall(f.grid, f.id, [0, 1]);
    const results = f.grid.map<string>(f.id, 'slow', entries(10, 30), { spread: true, retries: 1 });
    await expect(results.toArray()).rejects.toMatchObject({ name: 'WorkerLostError', message: expect.stringMatching(/map over "Tasks\.1\.slow" stopped .*items ended .*none is sent again/) });
    expect(results.progress.done).toBeLessThan(10);
    expect(f.grid.servers(f.id)).toEqual([]);
  });

  it('never runs items still queued when its signal aborts (counted on the servers)', async () => {
    await using f = await tasksGrid(2);
    let pulled = 0;
    let sent = 0;
    f.grid.on('call-started', () => sent++);
    async function* endless(): AsyncGenerator<[string, number]> {
      for (let i = 0; ; i++) {
        pulled++;
        yield [`item-${i}`, 5];
      }
    }
    const abort = new AbortController();
    let taken = 0;
    await expect(
      (async () => {
        for await (const _ of f.grid.map(f.id, 'slow', endless(), { spread: true, signal: abort.signal, window: 4 })) {
          if (++taken === 6) abort.abort(new Error('stop the scan'));
        }
      })(),
    ).rejects.toThrow('stop the scan');
    const sentAtAbort = sent;
    const ran = await ranOnServers(f.grid, f.id);
    // What ran is what was sent before the abort (its calls ran to their ends); nothing after.
    expect(ran).toHaveLength(sentAtAbort);
    expect(ran.length).toBeLessThanOrEqual(pulled);
    expect(pulled).toBeLessThanOrEqual(6 + 4);
    expect(await ranOnServers(f.grid, f.id)).toHaveLength(sentAtAbort);
  });

  it('frees every server when the loop breaks early', async () => {
    await using f = await tasksGrid(3);
    let closed = false;
    async function* items(): AsyncGenerator<[string, number]> {
      try {
        for (let i = 0; i < 100; i++) yield [`item-${i}`, 100];
      } finally {
        closed = true;
      }
    }
    for await (const _ of f.grid.map(f.id, 'slow', items(), { spread: true })) break;
    expect(closed).toBe(true);
    const proxies = await Promise.all([0, 1, 2].map(() => f.grid.acquireService<Tasks>(f.id)));
    for (const proxy of proxies) f.grid.releaseService(proxy);
    expect(f.grid.servers(f.id).every((server) => !server.busy)).toBe(true);
    // The calls under way at the break ran to their ends; no more were sent.
    expect((await ranOnServers(f.grid, f.id)).length).toBeLessThanOrEqual(3 + 3);
  });
});
