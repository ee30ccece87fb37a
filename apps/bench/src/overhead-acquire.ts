/**
 * The grid's own cost of handing a server out and taking it back: `acquireService` +
 * `releaseService` with 256 servers on the in-memory transport (no I/O at all), in µs per
 * pair. Aim (issue #8): under 5 µs.
 */
import type { Grid, ServiceId } from '@hostgrid/core';
import { memoryGrid } from './memory-grid.js';
import { figure, type Row } from './table.js';

const SERVERS = 256;
const AIM_US = 5;

/** µs per `const p = await grid.acquireService(id); grid.releaseService(p);`, over `loops` loops. */
export async function acquireRelease(grid: Grid, id: ServiceId, loops: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < loops; i++) {
    const proxy = await grid.acquireService(id);
    grid.releaseService(proxy);
  }
  return Number(process.hrtime.bigint() - start) / 1000 / loops;
}

/**
 * Two rows: with every server fresh (no call made yet), and after every server has
 * served calls (the pool then compares servers' recent call times to pick the fastest).
 */
export async function benchAcquire(rounds: number, quick: boolean): Promise<Row[]> {
  const loops = quick ? 20_000 : 100_000;
  const { grid, id } = await memoryGrid(SERVERS);
  try {
    const measure = async (): Promise<number[]> => {
      await acquireRelease(grid, id, loops / 4);
      const values: number[] = [];
      for (let r = 0; r < rounds; r++) values.push(await acquireRelease(grid, id, loops));
      return values;
    };
    const limit = { below: AIM_US, text: `< ${AIM_US} µs` };
    const fresh = figure(`acquire + release, ${SERVERS} servers, none has served a call`, 'in-process', 'µs', await measure(), limit);
    // Give every server a history of call times.
    for (let i = 0; i < 3; i++) await grid.gather(grid.broadcast(id, 'add', 1, 2));
    const used = figure(`acquire + release, ${SERVERS} servers, each has served calls`, 'in-process', 'µs', await measure(), limit);
    return [fresh, used];
  } finally {
    await grid.terminate({ cleanup: true });
  }
}
