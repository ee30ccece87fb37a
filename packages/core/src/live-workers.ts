/** A worker a transport has started: it can be killed, and says when it is gone. */
export interface LiveWorker {
  /** Ends the worker (synchronous; `gone` settles once it has ended). */
  kill(): void;
  /** Resolves once the worker has ended and its channel's `closed` was handled. */
  readonly gone: Promise<void>;
}

/**
 * The workers a transport has running, for its `close()`: each one leaves the set by
 * itself once it is gone, and {@link LiveWorkers.killAll} kills every one still there and
 * waits until all are gone.
 */
export class LiveWorkers<T extends LiveWorker> {
  readonly #workers = new Set<T>();

  /** Tracks `worker` until its `gone` settles; returns it. */
  add(worker: T): T {
    this.#workers.add(worker);
    void worker.gone.then(() => this.#workers.delete(worker));
    return worker;
  }

  /** How many are running. */
  get size(): number {
    return this.#workers.size;
  }

  /** Kills every worker still running and resolves once all of them are gone. */
  async killAll(): Promise<void> {
    const workers = [...this.#workers];
    for (const worker of workers) worker.kill();
    await Promise.all(workers.map((worker) => worker.gone));
  }
}
