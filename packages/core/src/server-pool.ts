import { HaltedError, TimeoutError, WorkerLostError } from './errors.js';
import { checkTimeout } from './timeout.js';
import type { Server } from './server.js';

interface Claim {
  run(server: Server): void;
  fail(error: Error): void;
}

interface Waiter {
  resolve(server: Server): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/** Options of {@link ServerPool.acquire}. */
export interface AcquireOptions {
  /** Stop waiting when this signal aborts; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Stop waiting after this many ms, with a `TimeoutError`. It is checked even when a
   * server is free: a negative number or NaN is refused with a `RangeError`.
   * @defaultValue no timeout (so are `Infinity` and anything over 2^31 - 1 ms)
   */
  readonly timeout?: number;
}

/**
 * The servers of one service and who is waiting for them: the seed's `queues[id]`.
 * `acquire` hands out a free server or waits, first come first served; `claim` waits for
 * one particular server (for broadcast and scatter); a released server goes to the
 * oldest claim on it, else to the oldest waiter, else back to the free list.
 */
export class ServerPool {
  readonly service: string;
  readonly #servers: Server[] = [];
  readonly #free: Server[] = [];
  readonly #waiters: Waiter[] = [];
  #waiterHead = 0;
  readonly #claims = new Map<Server, Claim[]>();
  readonly #onIdle = (server: Server): void => this.release(server);
  #halted: Error | undefined;
  /** Restarts under way: while some are, a pool with no server makes callers wait. */
  #replacing = 0;

  constructor(service: string) {
    this.service = service;
  }

  /** The live servers, in server order. */
  get servers(): readonly Server[] {
    return this.#servers;
  }

  /** Callers waiting in `acquire`. */
  get waiting(): number {
    return this.#waiters.length - this.#waiterHead;
  }

  /** Adds a server, free. */
  add(server: Server): void {
    server.onIdle = this.#onIdle;
    this.#servers.push(server);
    this.release(server);
  }

  /**
   * A free server, marked busy; waits while all are busy.
   *
   * @param what - how the caller names the timeout option, for the `RangeError`
   * @throws {@link TimeoutError} when `timeout` passes; the signal's reason when it aborts;
   *   {@link WorkerLostError} when the service's last server is lost; {@link HaltedError} when the service is terminated;
   *   `RangeError` (or `TypeError`) for a bad `timeout`, whether or not a server is free
   */
  acquire(options: AcquireOptions = {}, what = 'acquireService({ timeout })'): Server | Promise<Server> {
    let timeout: number | undefined;
    try {
      timeout = checkTimeout(options.timeout, what);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#halted !== undefined) return Promise.reject(this.#halted);
    const server = this.#takeFree();
    if (server !== undefined) return server;
    if (this.#servers.length === 0 && this.#replacing === 0) return Promise.reject(this.#noServersError());
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<Server>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        this.#dropWaiter(waiter);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          this.#dropWaiter(waiter);
          reject(new TimeoutError({ service: this.service, timeoutMs: timeout, message: `timeout acquiring service "${this.service}" after ${timeout} ms: all ${this.#servers.length} servers stayed busy` }));
        }, timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /**
   * Waits for `server` itself to be free, then calls `run` with it held. `fail` is called
   * instead when the service halts first. A lost server is handed over at once: its
   * calls fail with `WorkerLostError`.
   */
  claim(server: Server, run: (server: Server) => void, fail: (error: Error) => void): void {
    if (this.#halted !== undefined) {
      fail(this.#halted);
      return;
    }
    if (server.lost) {
      run(server);
      return;
    }
    if (!server.busy) {
      const at = this.#free.indexOf(server);
      if (at >= 0) this.#free.splice(at, 1);
      server.busy = true;
      run(server);
      return;
    }
    const claims = this.#claims.get(server);
    if (claims === undefined) this.#claims.set(server, [{ run, fail }]);
    else claims.push({ run, fail });
  }

  /**
   * Gives a held server back: to a claim on it, else to the oldest waiter, else to the free list.
   * Defers to the server's last call when calls are in flight.
   */
  release(server: Server): void {
    if (server.lost) return;
    if (server.inflight > 0) {
      server.releaseWhenIdle = true;
      return;
    }
    server.releaseWhenIdle = false;
    const claims = this.#claims.get(server);
    if (claims !== undefined) {
      const next = claims.shift()!;
      if (claims.length === 0) this.#claims.delete(server);
      server.busy = true;
      next.run(server);
      return;
    }
    const waiter = this.#nextWaiter();
    if (waiter !== undefined) {
      server.busy = true;
      waiter.cleanup();
      waiter.resolve(server);
      return;
    }
    server.busy = false;
    this.#free.push(server);
  }

  /**
   * Takes a lost server out. With `replacing`, a replacement is on its way (a restart):
   * waiters keep waiting for it, until {@link ServerPool.replaced} says how it went.
   * Otherwise, when no server is left (and none is coming), every waiter rejects.
   */
  remove(server: Server, error: WorkerLostError, replacing = false): void {
    if (replacing) this.#replacing++;
    server.lost = true;
    server.busy = false;
    const at = this.#servers.indexOf(server);
    if (at >= 0) this.#servers.splice(at, 1);
    const freeAt = this.#free.indexOf(server);
    if (freeAt >= 0) this.#free.splice(freeAt, 1);
    const claims = this.#claims.get(server);
    this.#claims.delete(server);
    // A claim on a lost server still runs: its call fails at once with WorkerLostError.
    for (const claim of claims ?? []) claim.run(server);
    if (this.#servers.length === 0 && this.#replacing === 0) this.#rejectWaiters(this.#noServersError(error));
  }

  /**
   * A replacement announced by `remove(…, true)` came (`server`), or will not (`error`):
   * then, when no server is left and none is coming, every waiter rejects with `error`.
   * Each `remove(…, true)` is answered by exactly one call. Returns whether the server
   * was taken (a halted pool takes none).
   */
  replaced(outcome: { server: Server } | { error: WorkerLostError }): boolean {
    this.#replacing--;
    if ('server' in outcome) {
      // A halted service takes no servers: the caller drops the copy it made.
      if (this.#halted !== undefined) return false;
      this.add(outcome.server);
      return true;
    }
    if (this.#servers.length === 0 && this.#replacing === 0) this.#rejectWaiters(this.#noServersError(outcome.error));
    return false;
  }

  /** Refuses every later acquire and rejects every waiter with `error`. */
  halt(error: HaltedError): void {
    this.#halted = error;
    this.#rejectWaiters(error);
    const claims = [...this.#claims.values()].flat();
    this.#claims.clear();
    for (const claim of claims) claim.fail(error);
  }

  #takeFree(): Server | undefined {
    const free = this.#free;
    if (free.length === 0) return undefined;
    // Prefer the server whose recent calls were fastest; an unused one counts as fastest.
    let best = 0;
    let bestMean = free[0]!.meanMs;
    for (let i = 1; i < free.length && bestMean > 0; i++) {
      const mean = free[i]!.meanMs;
      if (mean < bestMean) {
        best = i;
        bestMean = mean;
      }
    }
    const server = best === free.length - 1 ? free.pop()! : free.splice(best, 1)[0]!;
    server.busy = true;
    return server;
  }

  #nextWaiter(): Waiter | undefined {
    if (this.#waiterHead >= this.#waiters.length) return undefined;
    const waiter = this.#waiters[this.#waiterHead++];
    if (this.#waiterHead > 64 && this.#waiterHead * 2 > this.#waiters.length) {
      this.#waiters.splice(0, this.#waiterHead);
      this.#waiterHead = 0;
    }
    return waiter;
  }

  #dropWaiter(waiter: Waiter): void {
    waiter.cleanup();
    const at = this.#waiters.indexOf(waiter, this.#waiterHead);
    if (at >= 0) this.#waiters.splice(at, 1);
  }

  #rejectWaiters(error: Error): void {
    for (let waiter = this.#nextWaiter(); waiter !== undefined; waiter = this.#nextWaiter()) {
      waiter.cleanup();
      waiter.reject(error);
    }
  }

  #noServersError(cause?: Error): WorkerLostError {
    return new WorkerLostError({ service: this.service, message: `service "${this.service}" has no servers left: every worker serving it was lost`, cause });
  }
}
