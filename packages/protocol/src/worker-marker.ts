/**
 * The mark a Hostgrid worker sets on its global object before it imports any user code,
 * so that code on a host can tell it runs inside a worker. A registered symbol
 * (`Symbol.for`): every copy of a Hostgrid package in the process sees the same key.
 */
export const WORKER_MARK: unique symbol = Symbol.for('@hostgrid/worker') as never;

/** What a worker records under {@link WORKER_MARK}. */
export interface WorkerMark {
  /** The worker process's pid. */
  readonly pid: number;
}

/** Marks this process as a Hostgrid worker (called once, by the worker runtime, at start). */
export function markWorkerProcess(): void {
  (globalThis as Record<symbol, unknown>)[WORKER_MARK] = { pid: process.pid } satisfies WorkerMark;
}

/** Whether this process is a Hostgrid worker: user code of a published class runs in it. */
export function isWorkerProcess(): boolean {
  return (globalThis as Record<symbol, unknown>)[WORKER_MARK] !== undefined;
}
