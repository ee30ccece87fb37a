/**
 * `grid.map` against what a user would write without it, in the same rounds, each round
 * running every side in a rotated order (a full GC before each):
 *
 * - 100,000 tiny items (`add(x, 1)`) over every local slot: `grid.map`, `grid.map` with
 *   `chunk`, `grid.call` for every item at once (then awaited together), workerpool's
 *   `exec` for every item at once, and the raw floor (the bare fd-3 echo, 64 calls in
 *   flight per worker, each worker taking the next item as a call returns);
 * - a scan of items of uneven duration (seeded, 1–50 ms of `sleep`) on 8 slots: `grid.map`
 *   against a static `scatter` of the same items, with the lower bound (total work / servers).
 */
import { availableParallelism } from 'node:os';
import { Grid } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { Adder } from './adder.js';
import { FloorClient } from './floor-client.js';
import { collectGarbage, summary } from './measure.js';
import { startWorkerpool } from './peer-workerpool.js';
import { row, type Row } from './table.js';

const FLOOR_WINDOW = 64;
const CHUNK = 1000;
const SCAN_SLOTS = 8;

/** Runs every side once a round, the order rotated each round; per side, its figure of every round. */
async function rotate(rounds: number, sides: ReadonlyArray<() => Promise<number>>): Promise<number[][]> {
  const figures = sides.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (r + k) % sides.length;
      collectGarbage();
      figures[i]!.push(await sides[i]!());
    }
  }
  return figures;
}

/** Items per second of `run` over `n` items. */
async function rate(n: number, run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return n / ((performance.now() - start) / 1000);
}

/** A deterministic 1–50 ms duration per item (a linear congruential generator, seed 1). */
function durations(n: number): number[] {
  let x = 1;
  return Array.from({ length: n }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return 1 + (x % 50);
  });
}

async function tinyItems(rounds: number, quick: boolean): Promise<Row[]> {
  const slots = availableParallelism();
  const n = quick ? 10_000 : 100_000;
  const pairs = Array.from({ length: n }, (_, i): [number, number] => [i, 1]);
  const grid = await Grid.start({ hosts: [{ name: 'local', slots }], transport: localTransport() });
  const floors = await Promise.all(Array.from({ length: slots }, () => FloorClient.start()));
  const pool = await startWorkerpool(slots);
  try {
    const id = await grid.publish(new Adder());
    const viaMap = (): Promise<unknown> => grid.map<number>(id, 'add', pairs, { spread: true }).toArray();
    const viaChunks = (): Promise<unknown> => grid.map<number>(id, 'addPairs', pairs, { chunk: CHUNK }).toArray();
    const viaCalls = (): Promise<unknown> => Promise.all(pairs.map((args) => grid.call<number>(id, 'add', args)));
    const viaPool = (): Promise<unknown> => Promise.all(pairs.map(([a, b]) => pool.exec(a, b)));
    const viaFloor = async (): Promise<unknown> => {
      const results = new Array<unknown>(n);
      let next = 0;
      const lane = async (floor: FloorClient): Promise<void> => {
        for (let i = next++; i < n; i = next++) results[i] = await floor.call('add', pairs[i]!);
      };
      await Promise.all(floors.flatMap((floor) => Array.from({ length: FLOOR_WINDOW }, () => lane(floor))));
      return results;
    };
    // Warm every path up (JIT, socket buffers) before anything is timed.
    for (const run of [viaMap, viaChunks, viaCalls, viaPool, viaFloor]) await run();
    const [map, chunks, calls, peer, floor] = await rotate(
      rounds,
      [viaMap, viaChunks, viaCalls, viaPool, viaFloor].map((run) => () => rate(n, run)),
    );
    const items = `${n.toLocaleString('en-US')} tiny items over ${slots} slots`;
    const floorName = `raw fd-3 echo, ${FLOOR_WINDOW} in flight per worker`;
    return [
      row(`${items}: grid.map`, 'free', 'items/s', floorName, floor!, map!),
      row(`${items}: grid.map, chunk ${CHUNK}`, 'free', 'items/s', floorName, floor!, chunks!),
      row(`${items}: grid.map against grid.call for every item`, 'free', 'items/s', 'grid.call, all at once', calls!, map!),
      row(`${items}: grid.map, chunk ${CHUNK}, against grid.call`, 'free', 'items/s', 'grid.call, all at once', calls!, chunks!),
      row(`${items}: grid.map against workerpool exec`, 'free', 'items/s', 'workerpool exec, all at once', peer!, map!),
      row(`${items}: grid.map, chunk ${CHUNK}, against workerpool exec`, 'free', 'items/s', 'workerpool exec, all at once', peer!, chunks!, { kind: 'at least', ratio: 1, text: 'faster than workerpool' }),
    ];
  } finally {
    await grid.terminate({ cleanup: true });
    await Promise.all(floors.map((floor) => floor[Symbol.asyncDispose]()));
    await pool[Symbol.asyncDispose]();
  }
}

async function unevenScan(rounds: number, quick: boolean): Promise<{ rows: Row[]; notes: string[] }> {
  const items = durations(quick ? 80 : 240);
  const total = items.reduce((sum, ms) => sum + ms, 0);
  const bound = total / SCAN_SLOTS;
  // Sleeps, not computation: the slots need no CPU of their own.
  const grid = await Grid.start({ hosts: [{ name: 'local', slots: SCAN_SLOTS }], transport: localTransport() });
  try {
    const id = await grid.publish(new Adder());
    const elapsed = async (run: () => Promise<unknown>): Promise<number> => {
      const start = performance.now();
      await run();
      return performance.now() - start;
    };
    const viaMap = (): Promise<unknown> => grid.map(id, 'sleep', items).toArray();
    const viaScatter = (): Promise<unknown> => grid.gather(grid.scatter(id, 'sleep', items.map((ms) => [ms])));
    const [map, scatter] = await rotate(rounds, [() => elapsed(viaMap), () => elapsed(viaScatter)]);
    const staticShare = Math.max(...Array.from({ length: SCAN_SLOTS }, (_, s) => items.filter((_, i) => i % SCAN_SLOTS === s).reduce((sum, ms) => sum + ms, 0)));
    const scan = `${items.length} items of 1–50 ms over ${SCAN_SLOTS} slots`;
    return {
      rows: [row(`${scan}: grid.map against scatter`, 'free', 'ms', 'scatter (item i to server i mod n)', scatter!, map!, { kind: 'at most', ratio: 0.9, text: 'well before scatter' })],
      notes: [
        `Uneven scan: total work ${total} ms, lower bound ${bound.toFixed(0)} ms (total / ${SCAN_SLOTS} servers); scatter's largest static share is ${staticShare} ms; grid.map took ${summary(map!).median.toFixed(0)} ms, scatter ${summary(scatter!).median.toFixed(0)} ms (medians).`,
      ],
    };
  } finally {
    await grid.terminate({ cleanup: true });
  }
}

/** The `map` group. */
export async function benchMap(rounds: number, quick: boolean): Promise<{ rows: Row[]; notes: string[] }> {
  const tiny = await tinyItems(rounds, quick);
  const uneven = await unevenScan(rounds, quick);
  return { rows: [...tiny, ...uneven.rows], notes: uneven.notes };
}
