import { HaltedError, type HostgridError, TimeoutError, WorkerLostError } from './errors.js';
import { checkTimeout } from './timeout.js';
import type { Server } from './server.js';

interface Claim {
  run(server: Server): void;
  fail(error: Error): void;
}

interface Waiter {
  /** Only a server on this host will do (`acquireService(id, { host })`). */
  readonly host: string | undefined;
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
  /**
   * A server on this host (a name in `grid.hosts`): waits while that host's servers are
   * busy, first come first served with every other caller.
   * @defaultValue any host
   */
  readonly host?: string;
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
  /** Restarts under way, per host: while some are, a host with no server makes its callers wait. */
  readonly #replacingOn = new Map<string, number>();
  /** Servers of hosts being removed: handed out no more, kept until their workers stop. */
  readonly #retiring: Server[] = [];

  constructor(service: string) {
    this.service = service;
  }

  /** The live servers, in server order. */
  get servers(): readonly Server[] {
    return this.#servers;
  }

  /** Servers of hosts being removed (`grid.removeHost`): never handed out again. */
  get retiring(): readonly Server[] {
    return this.#retiring;
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
    const { host } = options;
    const server = this.#takeFree(host);
    if (server !== undefined) return server;
    if (this.#servers.length === 0 && this.#replacing === 0) return Promise.reject(this.#noServersError());
    if (host !== undefined && !this.#serves(host)) return Promise.reject(this.#noServersOnError(host));
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<Server>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        this.#dropWaiter(waiter);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        host,
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
          const busy = host === undefined ? `all ${this.#servers.length} servers` : `the servers on host "${host}"`;
          reject(new TimeoutError({ service: this.service, host, timeoutMs: timeout, message: `timeout acquiring service "${this.service}"${host === undefined ? '' : ` on host "${host}"`} after ${timeout} ms: ${busy} stayed busy` }));
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
    if (server.retiring) {
      server.busy = false;
      return;
    }
    const claims = this.#claims.get(server);
    if (claims !== undefined) {
      const next = claims.shift()!;
      if (claims.length === 0) this.#claims.delete(server);
      server.busy = true;
      next.run(server);
      return;
    }
    const waiter = this.#nextWaiterFor(server.link.host.name);
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
    const host = server.link.host.name;
    if (replacing) {
      this.#replacing++;
      this.#replacingOn.set(host, (this.#replacingOn.get(host) ?? 0) + 1);
    }
    server.lost = true;
    server.busy = false;
    const at = this.#servers.indexOf(server);
    if (at >= 0) this.#servers.splice(at, 1);
    const retiringAt = this.#retiring.indexOf(server);
    if (retiringAt >= 0) this.#retiring.splice(retiringAt, 1);
    const freeAt = this.#free.indexOf(server);
    if (freeAt >= 0) this.#free.splice(freeAt, 1);
    const claims = this.#claims.get(server);
    this.#claims.delete(server);
    // A claim on a lost server still runs: its call fails at once with WorkerLostError.
    for (const claim of claims ?? []) claim.run(server);
    if (this.#servers.length === 0 && this.#replacing === 0) this.#rejectWaiters(this.#noServersError(error));
    else if (!this.#serves(host)) this.#rejectWaitersOn(host, this.#noServersOnError(host, error));
  }

  /**
   * Stops handing `server` out (its host is being removed): it leaves the free list and
   * {@link ServerPool.servers} for {@link ServerPool.retiring}; calls queued for it and not
   * yet sent (broadcast, scatter) fail with `error`, as do callers waiting for its host
   * once none of the host's servers is left; when no server at all is left, every waiter
   * rejects with `WorkerLostError`. Calls in flight go on; a holder keeps it until it
   * releases it. Idempotent.
   */
  retire(server: Server, error: HostgridError): void {
    if (server.retiring || server.lost) return;
    server.retiring = true;
    const at = this.#servers.indexOf(server);
    if (at >= 0) this.#servers.splice(at, 1);
    this.#retiring.push(server);
    const freeAt = this.#free.indexOf(server);
    if (freeAt >= 0) {
      this.#free.splice(freeAt, 1);
      server.busy = false;
    }
    const claims = this.#claims.get(server);
    this.#claims.delete(server);
    for (const claim of claims ?? []) claim.fail(error);
    const host = server.link.host.name;
    if (!this.#serves(host)) this.#rejectWaitersOn(host, error);
    if (this.#servers.length === 0 && this.#replacing === 0) this.#rejectWaiters(this.#noServersError(error));
  }

  /** Forgets a retired server once its worker has stopped. */
  drop(server: Server): void {
    const at = this.#retiring.indexOf(server);
    if (at >= 0) this.#retiring.splice(at, 1);
    server.lost = true;
    server.busy = false;
  }

  /**
   * A replacement announced by `remove(…, true)` came (`server`), or will not (`error`):
   * then, when no server is left and none is coming, every waiter rejects with `error`.
   * Each `remove(…, true)` is answered by exactly one call. Returns whether the server
   * was taken (a halted pool takes none).
   */
  replaced(outcome: { server: Server } | { error: WorkerLostError }, host: string): boolean {
    this.#replacing--;
    const onHost = (this.#replacingOn.get(host) ?? 1) - 1;
    if (onHost > 0) this.#replacingOn.set(host, onHost);
    else this.#replacingOn.delete(host);
    if ('server' in outcome) {
      // A halted service takes no servers: the caller drops the copy it made.
      if (this.#halted !== undefined) return false;
      this.add(outcome.server);
      return true;
    }
    if (this.#servers.length === 0 && this.#replacing === 0) this.#rejectWaiters(this.#noServersError(outcome.error));
    else if (!this.#serves(host)) this.#rejectWaitersOn(host, this.#noServersOnError(host, outcome.error));
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

  /** Whether the host has a server here, or one on its way (a restart). */
  #serves(host: string): boolean {
    return this.#servers.some((server) => server.link.host.name === host) || (this.#replacingOn.get(host) ?? 0) > 0;
  }

  #takeFree(host: string | undefined): Server | undefined {
    const free = this.#free;
    if (free.length === 0) return undefined;
    if (host !== undefined) {
      const at = free.findIndex((server) => server.link.host.name === host);
      if (at < 0) return undefined;
      const server = free.splice(at, 1)[0]!;
      server.busy = true;
      return server;
    }
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

  /** The oldest waiter a server on `host` will do for. */
  #nextWaiterFor(host: string): Waiter | undefined {
    for (let i = this.#waiterHead; i < this.#waiters.length; i++) {
      const waiter = this.#waiters[i]!;
      if (waiter.host !== undefined && waiter.host !== host) continue;
      if (i === this.#waiterHead) return this.#nextWaiter();
      this.#waiters.splice(i, 1);
      return waiter;
    }
    return undefined;
  }

  #rejectWaitersOn(host: string, error: Error): void {
    const left = this.#waiters.slice(this.#waiterHead).filter((waiter) => waiter.host === host);
    for (const waiter of left) {
      this.#dropWaiter(waiter);
      waiter.reject(error);
    }
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

  #noServersOnError(host: string, cause?: Error): WorkerLostError {
    const hosts = [...new Set(this.#servers.map((server) => server.link.host.name))];
    return new WorkerLostError({
      service: this.service,
      host,
      message: `service "${this.service}" has no server on host "${host}"${hosts.length === 0 ? '' : `; its servers are on: ${hosts.join(', ')}`}`,
      cause,
    });
  }

  #noServersError(cause?: Error): WorkerLostError {
    return new WorkerLostError({ service: this.service, message: `service "${this.service}" has no servers left: every worker serving it was lost`, cause });
  }
}
