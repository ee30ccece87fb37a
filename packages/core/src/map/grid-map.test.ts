import { createWorkerSession } from '@hostgrid/worker';
import { Grid, MapFailure, type MapProgress, type MapProgressEvent } from '@hostgrid/core';
import { memoryTransport, type MemoryTransport } from '@hostgrid/core/testing';
import { describe, expect, it } from 'vitest';

const SCAN = new URL('./fixtures/scan-tasks.mjs', import.meta.url);

interface Fixture extends AsyncDisposable {
  readonly grid: Grid;
  readonly id: string;
  readonly transport: MemoryTransport;
  /** Calls run per server, summed. */
  calls(): Promise<number>;
}

async function scanGrid(slots: number): Promise<Fixture> {
  const transport = memoryTransport({ serve: createWorkerSession });
  const grid = await Grid.start({ hosts: [{ name: 'mem', slots }], transport });
  try {
    const id = await grid.publish({ module: SCAN, export: 'ScanTasks' });
    return {
      grid,
      id,
      transport,
      calls: async () => (await grid.gather(grid.broadcast<{ calls: number }>(id, 'state'))).reduce((sum, state) => sum + state.calls, 0),
      [Symbol.asyncDispose]: () => grid.terminate({ cleanup: true }),
    };
  } catch (error) {
    await grid.terminate({ cleanup: true });
    throw error;
  }
}

/** A generator of `0, 1, …, n-1` that counts how many items were read and whether it was closed. */
function counted(n: number): { items: AsyncGenerator<number>; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;
  async function* items(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { items: items(), pulled: () => pulled, closed: () => closed };
}

describe('grid.map', () => {
  it('yields results in input order by default, from any iterable', async () => {
    await using f = await scanGrid(3);
    const inputs = Array.from({ length: 40 }, (_, i) => i);
    expect(await f.grid.map<number>(f.id, 'square', inputs).toArray()).toEqual(inputs.map((x) => x * x));
    expect(await f.grid.map<number>(f.id, 'square', new Set([3, 4])).toArray()).toEqual([9, 16]);
    async function* lazy(): AsyncGenerator<number> {
      yield 5;
      yield 6;
    }
    expect(await f.grid.map<number>(f.id, 'square', lazy()).toArray()).toEqual([25, 36]);
    expect(await f.grid.map<number>(f.id, 'square', []).toArray()).toEqual([]);
  });

  it('spreads array items into argument lists with spread: true', async () => {
    await using f = await scanGrid(2);
    expect(await f.grid.map<number>(f.id, 'add', [[1, 2], [3, 4]], { spread: true }).toArray()).toEqual([3, 7]);
  });

  it('yields { index, value } in completion order with ordered: false, and holds later results back in order otherwise', async () => {
    await using f = await scanGrid(2);
    // Item 0 waits for a gate that item 1 opens: item 1 always ends first.
    const items = (gate: string) => [{ value: 'first sent', wait: gate }, { value: 'second sent', open: gate }];
    expect(await f.grid.map<string>(f.id, 'step', items('g1'), { ordered: false }).toArray()).toEqual([
      { index: 1, value: 'second sent' },
      { index: 0, value: 'first sent' },
    ]);
    expect(await f.grid.map<string>(f.id, 'step', items('g2')).toArray()).toEqual(['first sent', 'second sent']);
  });

  it('reads the input lazily: never more than the window ahead of the consumer', async () => {
    await using f = await scanGrid(2);
    const source = counted(1_000_000);
    let taken = 0;
    const ahead: number[] = [];
    for await (const value of f.grid.map<number>(f.id, 'square', source.items, { window: 6 })) {
      expect(value).toBe(taken * taken);
      taken++;
      ahead.push(source.pulled() - taken);
      if (taken === 50) break;
    }
    expect(Math.max(...ahead)).toBeLessThanOrEqual(6);
    expect(source.pulled()).toBeLessThanOrEqual(50 + 6);
    expect(source.closed()).toBe(true);
  });

  it('sends chunks of items to a method that takes and returns arrays, and yields one result per item', async () => {
    await using f = await scanGrid(2);
    const inputs = Array.from({ length: 25 }, (_, i) => i);
    expect(await f.grid.map<number>(f.id, 'squares', inputs, { chunk: 4 }).toArray()).toEqual(inputs.map((x) => x * x));
    // 25 items in chunks of 4: 7 calls.
    expect(await f.calls()).toBe(7);
    expect(await f.grid.map<number>(f.id, 'squares', counted(10).items, { chunk: 3, ordered: false }).toArray()).toHaveLength(10);
  });

  it('fails every item of a chunk whose call returns the wrong number of results, with MapChunkError', async () => {
    await using f = await scanGrid(1);
    await expect(f.grid.map(f.id, 'short', [1, 2, 3], { chunk: 3 }).toArray()).rejects.toMatchObject({
      name: 'MapChunkError',
      message: expect.stringMatching(/"ScanTasks\.1\.short" got a chunk of 3 items .* returned 2 results/),
    });
    const failures = await f.grid.map(f.id, 'short', [1, 2, 3], { chunk: 3, onError: 'yield' }).toArray();
    expect(failures.map((item) => (item as MapFailure).index)).toEqual([0, 1, 2]);
  });

  it("stops at the first failure with onError: 'throw' (nothing more is sent)", async () => {
    await using f = await scanGrid(1);
    const source = counted(1000);
    await expect(f.grid.map(f.id, 'evenOnly', source.items, { window: 2 }).toArray()).rejects.toMatchObject({ name: 'RemoteError', remoteName: 'RangeError', message: expect.stringContaining('odd: 1') });
    expect(source.closed()).toBe(true);
    expect(await f.calls()).toBeLessThanOrEqual(3);
  });

  it("yields { index, error } in a failed item's place with onError: 'yield', and goes on", async () => {
    await using f = await scanGrid(2);
    const results = await f.grid.map<number>(f.id, 'evenOnly', [0, 1, 2, 3, 4], { onError: 'yield' }).toArray();
    expect(results.map((item) => (item instanceof MapFailure ? `#${item.index} ${(item.error as Error).message}` : item))).toEqual([
      0,
      expect.stringMatching(/^#1 .*odd: 1/),
      2,
      expect.stringMatching(/^#3 .*odd: 3/),
      4,
    ]);
    const unordered = await f.grid.map<number>(f.id, 'evenOnly', [1, 2], { onError: 'yield', ordered: false }).toArray();
    expect(unordered.map((item) => ('error' in item ? `failed ${item.index}` : `ok ${item.index}`)).sort()).toEqual(['failed 0', 'ok 1']);
  });

  it('stops when its signal aborts: items not yet sent never run, and the iteration throws the reason', async () => {
    await using f = await scanGrid(2);
    const abort = new AbortController();
    const source = counted(10_000);
    let taken = 0;
    await expect(
      (async () => {
        for await (const _ of f.grid.map(f.id, 'square', source.items, { signal: abort.signal, window: 4 })) {
          if (++taken === 10) abort.abort(new Error('enough'));
        }
      })(),
    ).rejects.toThrow('enough');
    expect(source.closed()).toBe(true);
    const calls = await f.calls();
    expect(calls).toBeGreaterThanOrEqual(10);
    expect(calls).toBeLessThanOrEqual(source.pulled());
    expect(source.pulled()).toBeLessThanOrEqual(10 + 4);
    // An already aborted signal sends nothing.
    const before = await f.calls();
    await expect(f.grid.map(f.id, 'square', [1, 2, 3], { signal: AbortSignal.abort(new Error('never')) }).toArray()).rejects.toThrow('never');
    expect(await f.calls()).toBe(before);
  });

  it('frees every server when the loop breaks early', async () => {
    await using f = await scanGrid(3);
    const source = counted(1000);
    for await (const _ of f.grid.map(f.id, 'slow', (async function* () {
      for await (const i of source.items) yield [i, 5];
    })(), { spread: true })) break;
    const proxies = await Promise.all([0, 1, 2].map(() => f.grid.acquireService(f.id)));
    expect(proxies).toHaveLength(3);
    for (const proxy of proxies) f.grid.releaseService(proxy);
    expect(source.closed()).toBe(true);
  });

  it('reports progress to onProgress and as map-progress events, with the total when the length is known', async () => {
    await using f = await scanGrid(2);
    const seen: MapProgress[] = [];
    const events: MapProgressEvent[] = [];
    f.grid.on('map-progress', (event) => events.push(event));
    await f.grid.map(f.id, 'evenOnly', [0, 1, 2, 3], { onError: 'yield', progressIntervalMs: 0, onProgress: (progress) => seen.push(progress) }).toArray();
    expect(seen.map(({ done, failed, total }) => ({ done, failed, total }))).toEqual([
      { done: 1, failed: expect.any(Number), total: 4 },
      { done: 2, failed: expect.any(Number), total: 4 },
      { done: 3, failed: expect.any(Number), total: 4 },
      { done: 4, failed: 2, total: 4 },
      { done: 4, failed: 2, total: 4 },
    ]);
    expect(seen.at(-1)!.perSecond).toBeGreaterThan(0);
    expect(seen.at(-1)!.etaMs).toBe(0);
    expect(events).toHaveLength(seen.length);
    expect(events[0]).toMatchObject({ service: f.id, method: 'evenOnly', map: 1 });
    const unknownLength: MapProgressEvent[] = [];
    f.grid.removeAllListeners('map-progress');
    f.grid.on('map-progress', (event) => unknownLength.push(event));
    await f.grid.map(f.id, 'square', counted(3).items).toArray();
    expect(unknownLength.at(-1)).toMatchObject({ done: 3, failed: 0, map: 2 });
    expect(unknownLength.at(-1)).not.toHaveProperty('total');
  });

  it('ends with WorkerLostError, saying how far it got, when the service loses every server', async () => {
    await using f = await scanGrid(2);
    const results = f.grid.map(f.id, 'step', [{ value: 0 }, { value: 1, wait: 'never-1' }, { value: 2, wait: 'never-2' }, { value: 3 }, { value: 4 }], { window: 2 });
    expect(await results.next()).toEqual({ done: false, value: 0 });
    f.transport.crash('mem', 0);
    f.transport.crash('mem', 1);
    await expect(results.next()).rejects.toMatchObject({ name: 'WorkerLostError', message: expect.stringMatching(/map over "ScanTasks\.1\.step" stopped .*items ended/) });
    expect(await results.next()).toEqual({ done: true, value: undefined });
    expect(results.progress.done).toBeLessThan(5);
  });

  it('fails before anything runs for an unknown service, an unknown method, a bad input or an item that cannot be sent', async () => {
    await using f = await scanGrid(1);
    expect(() => f.grid.map('Nope.1', 'square', [1])).toThrow(expect.objectContaining({ name: 'ServiceNotFoundError', message: expect.stringContaining('"Nope.1"') }));
    expect(() => f.grid.map(f.id, 'cube', [1])).toThrow(expect.objectContaining({ name: 'MethodNotFoundError', message: expect.stringContaining('"cube"') }));
    expect(() => f.grid.map(f.id, 'square', 42 as never)).toThrow(/inputs must be an iterable/);
    expect(() => f.grid.map(f.id, 'square', [1, () => 2, 3])).toThrow(expect.objectContaining({ name: 'SerializationError', message: expect.stringContaining('map item 1') }));
    expect(() => f.grid.map(f.id, 'add', [[1, 2], 3], { spread: true })).toThrow(/item 1 is not an argument array/);
    expect(() => f.grid.map(f.id, 'square', [1], { chunk: 0 })).toThrow(/"chunk" must be an integer >= 1/);
    expect(() => f.grid.map(f.id, 'square', [1], { chunk: 4, window: 2 })).toThrow(/"window" must be an integer >= chunk/);
    expect(() => f.grid.map(f.id, 'square', [1], { onError: 'ignore' as never })).toThrow(/"onError"/);
    expect(await f.calls()).toBe(0);
    // A lazy input's item is checked when it is read: the map stops there, naming it.
    async function* lazy(): AsyncGenerator<unknown> {
      yield 1;
      yield () => 2;
      yield 3;
    }
    await expect(f.grid.map(f.id, 'square', lazy(), { window: 1 }).toArray()).rejects.toMatchObject({ name: 'SerializationError', message: expect.stringContaining('item 1 cannot be sent') });
    expect(await f.calls()).toBe(1);
  });

  it('throws what the input throws while it is read', async () => {
    await using f = await scanGrid(1);
    function* broken(): Generator<number> {
      yield 1;
      throw new Error('input broke');
    }
    await expect(f.grid.map(f.id, 'square', broken()).toArray()).rejects.toThrow('input broke');
  });
});
