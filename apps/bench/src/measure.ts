import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A call to measure: returns something awaitable. */
export type Call = () => PromiseLike<unknown>;

/**
 * Round trip of one call at a time: the median and 99th percentile of the calls' own
 * times, and the mean as wall time over calls (which also counts work a library defers
 * until after it has delivered a result, and GC pauses), all in µs.
 */
export async function roundTrip(call: Call, calls: number): Promise<{ p50: number; p99: number; mean: number }> {
  const times = new Float64Array(calls);
  const begin = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await call();
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  const mean = Number(process.hrtime.bigint() - begin) / 1000 / calls;
  times.sort();
  return { p50: times[Math.floor(calls * 0.5)]!, p99: times[Math.floor(calls * 0.99)]!, mean };
}

/**
 * Pipelined throughput in calls/s: each caller keeps `window` calls in flight (sent in
 * one turn, then awaited together) until `durationMs` has passed.
 */
export async function throughput(callers: readonly Call[], window: number, durationMs: number): Promise<number> {
  const start = performance.now();
  let done = 0;
  while (performance.now() - start < durationMs) {
    const batch: PromiseLike<unknown>[] = [];
    for (const call of callers) for (let i = 0; i < window; i++) batch.push(call());
    await Promise.all(batch);
    done += batch.length;
  }
  return done / ((performance.now() - start) / 1000);
}

/** Median, min and max of a list. */
export function summary(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * A full garbage collection, now. Run between the two sides of a pair so that neither
 * pays for collecting the other's garbage (GC threads are pinned with the controller).
 */
export function collectGarbage(): void {
  gc();
}
