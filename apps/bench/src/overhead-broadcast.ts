/**
 * How `broadcast` + `gather` grows with the number of servers on the in-memory transport
 * (N = 1, 4, 16, 64, 256): the median time of `await grid.gather(grid.broadcast(id,
 * 'add', 1, 2))`. Aim (issue #8): no worse than linear in N, so each step from N to 4N
 * may cost at most 4× as much (with a 5% margin for noise: a cost exactly linear in N,
 * with no fixed part, would otherwise pass or fail by chance).
 */
import type { Grid, ServiceId } from '@hostgrid/core';
import { summary } from './measure.js';
import { memoryGrid } from './memory-grid.js';
import { figure, fmt, row, type Row } from './table.js';

const SIZES = [1, 4, 16, 64, 256] as const;
/** Allowance for noise on the linear bound. */
const MARGIN = 1.05;

/** Median µs of one broadcast + gather, over at most `maxIterations` iterations or `budgetMs`. */
export async function broadcastGather(grid: Grid, id: ServiceId, maxIterations: number, budgetMs: number): Promise<number> {
  const times: number[] = [];
  const until = performance.now() + budgetMs;
  while (times.length < maxIterations && (times.length < 5 || performance.now() < until)) {
    const start = process.hrtime.bigint();
    await grid.gather(grid.broadcast(id, 'add', 1, 2));
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return summary(times).median;
}

/** Least-squares slope and intercept of y over x. */
function fit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * One row per N: its median (with time/N in the case name) against the previous N, aim
 * at most (N / previous N)× that, plus the margin; and a note with the per-server slope of a
 * least-squares line through the medians. Every grid stays up for the whole run and
 * each round measures every N, in a rotating order.
 */
export async function benchBroadcast(rounds: number, quick: boolean): Promise<{ rows: Row[]; notes: string[] }> {
  const maxIterations = quick ? 200 : 2000;
  const budgetMs = quick ? 20 : 100;
  const grids: { grid: Grid; id: ServiceId }[] = [];
  try {
    for (const n of SIZES) grids.push(await memoryGrid(n));
    const values: number[][] = SIZES.map(() => []);
    for (const { grid, id } of grids) await broadcastGather(grid, id, maxIterations, budgetMs);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < SIZES.length; k++) {
        const at = (k + r) % SIZES.length;
        values[at]!.push(await broadcastGather(grids[at]!.grid, grids[at]!.id, maxIterations, budgetMs));
      }
    }
    const medians = values.map((v) => summary(v).median);
    const rows = SIZES.map((n, k) => {
      const name = `broadcast + gather, N = ${n} (${fmt(medians[k]! / n)} µs per server)`;
      if (k === 0) return figure(name, 'in-process', 'µs', values[k]!);
      const growth = n / SIZES[k - 1]!;
      return row(name, 'in-process', 'µs', `N = ${SIZES[k - 1]}`, values[k - 1]!, values[k]!, { kind: 'at most', ratio: growth * MARGIN, text: `at most ${growth}× (linear; +5% for noise)` });
    });
    const { slope, intercept } = fit([...SIZES], medians);
    const perServer = SIZES.map((n, k) => `N = ${n}: ${fmt(medians[k]! / n)}`).join(', ');
    return {
      rows,
      notes: [`broadcast + gather: time / N in µs — ${perServer}; least-squares line ${fmt(intercept)} µs + ${fmt(slope)} µs per server.`],
    };
  } finally {
    await Promise.allSettled(grids.map(({ grid }) => grid.terminate({ cleanup: true })));
  }
}
