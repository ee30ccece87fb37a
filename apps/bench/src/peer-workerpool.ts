/**
 * The workerpool peer: a pool of child processes (`workerType: 'process'`, so each call
 * crosses a process boundary as the grid's do), all started up front, driven through
 * `pool.proxy()` as its documentation shows.
 */
import workerpool from 'workerpool';
import type { Call } from './measure.js';

/** A started pool of `workers` processes, with the proxied `add` and the workers' pids (for pinning). */
export interface WorkerpoolPeer extends AsyncDisposable {
  /** `proxy.add(1, 2)`. */
  readonly add: Call;
  /** `pool.exec('add', [a, b])`: the pool's queue hands each call to the next free worker. */
  exec(a: number, b: number): PromiseLike<number>;
  readonly pids: readonly number[];
}

/** The part of workerpool's (untyped) internals the bench reads: each worker's child process. */
interface PoolInternals {
  readonly workers: ReadonlyArray<{ readonly worker: { readonly pid?: number } }>;
}

/** Starts a pool of `workers` child processes and waits until every one has answered a call. */
export async function startWorkerpool(workers: number): Promise<WorkerpoolPeer> {
  const script = new URL('./workerpool-worker.js', import.meta.url).pathname;
  const pool = workerpool.pool(script, { workerType: 'process', minWorkers: workers, maxWorkers: workers });
  try {
    const proxy = await pool.proxy<{ add: (a: number, b: number) => number }>();
    // A batch of as many calls as workers, twice, so that every worker has served one.
    for (let i = 0; i < 2; i++) await Promise.all(Array.from({ length: workers * 4 }, () => proxy.add(1, 2)));
    const pids = (pool as unknown as PoolInternals).workers.map((handler) => handler.worker.pid);
    if (pids.length !== workers || pids.some((pid) => pid === undefined)) throw new Error(`bench: workerpool started ${pids.length} of ${workers} worker processes`);
    return {
      // workerpool's own promise class is a thenable whose typings do not match PromiseLike; awaited as is.
      add: () => proxy.add(1, 2) as unknown as PromiseLike<number>,
      exec: (a, b) => pool.exec('add', [a, b]) as unknown as PromiseLike<number>,
      pids: pids as number[],
      async [Symbol.asyncDispose]() {
        await pool.terminate();
      },
    };
  } catch (error) {
    await pool.terminate(true);
    throw error;
  }
}
