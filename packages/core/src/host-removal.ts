import { HaltedError, HostNotFoundError, WorkerLostError } from './errors.js';
import type { GridEvents, HostInfo } from './events.js';
import type { ResolvedHost } from './host-spec.js';
import type { LogFields, LogLevel } from './grid-log.js';
import type { ProxyHandle } from './proxy.js';
import type { Service } from './published-service.js';
import type { StagingArea } from './staging-area.js';
import type { WorkerLink } from './worker-link.js';

/** Options of `Grid.removeHost`. */
export interface RemoveHostOptions {
  /**
   * `true`: calls already sent to the host's servers run to their end (and their results
   * come back) before its workers are stopped. `false`: they reject at once with
   * `WorkerLostError` (as when a worker is lost: `grid.call` and `grid.map` retries, where
   * asked for, send them to another server) and the workers are stopped now. A second
   * `removeHost(name, { drain: false })` cuts a drain under way short.
   * @defaultValue true
   */
  readonly drain?: boolean;
}

/** @internal The few grid internals that removing a host uses. */
export interface RemovalContext {
  /** The grid's hosts: the removed host leaves them once its workers have stopped. */
  readonly hosts: ResolvedHost[];
  /** The grid's workers: the host's leave them once stopped. */
  readonly links: WorkerLink[];
  /** The published services: each one's servers on the host are retired. */
  readonly services: ReadonlyMap<string, Service>;
  /** The proxies handed out: those on the host's servers take no more calls. */
  readonly handles: ReadonlySet<ProxyHandle>;
  /** How long a worker may take to exit when asked, before it is killed, in ms. */
  readonly shutdownGraceMs: number;
  /** The grid's staging area (the host's temp path is removed, when the grid made it). */
  staging(): StagingArea;
  /** Cancels the host's restarts; the services that waited on them, with the servers each is owed. */
  takeOverRestarts(hostName: string): Map<Service, number>;
  /** Runs `task` after every membership change under way (publish, setLoader, addHost). */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  emit<E extends keyof GridEvents>(event: E, ...args: Parameters<GridEvents[E]>): boolean;
  log(message: string, fields?: LogFields, level?: LogLevel): void;
  /** Whether the grid was terminated. */
  terminated(): boolean;
}

/** A removal under way. */
interface Removal {
  readonly done: Promise<HostInfo>;
  /** Aborted to stop the host's workers now (drain: false). */
  readonly force: AbortController;
}

/**
 * @internal Hosts leaving a running grid: their servers are handed out no more at once,
 * their calls end (or are cut short), their workers stop, and they leave `grid.hosts`.
 */
export class HostRemovals {
  readonly #grid: RemovalContext;
  readonly #removing = new Map<string, Removal>();

  constructor(grid: RemovalContext) {
    this.#grid = grid;
  }

  /** Whether the host is being removed (its servers are retired, its workers not stopped yet). */
  removing(name: string): boolean {
    return this.#removing.has(name);
  }

  /**
   * Checks that `name` is a host of the grid that is not being removed.
   *
   * @throws TypeError for a name that is not a string; {@link HostNotFoundError} otherwise, naming the hosts there are
   */
  check(name: unknown, what: string): asserts name is string {
    if (typeof name !== 'string') throw new TypeError(`[hostgrid] ${what}: the host must be a host's name (a string), got ${typeof name}`);
    const known = this.#grid.hosts.map((host) => host.name).filter((host) => !this.#removing.has(host));
    if (this.#grid.hosts.some((host) => host.name === name) && !this.#removing.has(name)) return;
    const being = this.#removing.has(name) ? ' is being removed' : ' is not in the grid';
    throw new HostNotFoundError({ host: name, message: `${what}: host "${name}"${being}; its hosts are: ${known.join(', ') || '(none)'}` });
  }

  /** Removes the host (see `Grid.removeHost`). */
  remove(name: string, options: RemoveHostOptions): Promise<HostInfo> {
    const grid = this.#grid;
    if (grid.terminated()) return Promise.reject(new HaltedError({ host: name, message: 'the grid was terminated' }));
    if (options.drain !== undefined && typeof options.drain !== 'boolean') {
      return Promise.reject(new TypeError(`[hostgrid] removeHost("${name}"): "drain" must be a boolean, got ${typeof options.drain}`));
    }
    const drain = options.drain ?? true;
    const running = this.#removing.get(name);
    if (running !== undefined) {
      if (!drain) running.force.abort();
      return running.done;
    }
    try {
      this.check(name, 'removeHost');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const force = new AbortController();
    if (!drain) force.abort();
    this.#retire(name);
    this.#grid.log(`removing host ${name} (${drain ? 'letting its calls end' : 'stopping its calls now'})`, { host: name }, 'info');
    const done = grid.exclusive(() => this.#run(name, force.signal)).finally(() => this.#removing.delete(name));
    this.#removing.set(name, { done, force });
    return done;
  }

  /** Stops handing the host's servers out: every service's pool, its proxies, its restarts. */
  #retire(name: string): void {
    const grid = this.#grid;
    const removed = (service: string, method?: string): WorkerLostError =>
      new WorkerLostError({ service, method, host: name, message: `host "${name}" was removed from the grid${method === undefined ? '' : ` before "${service}.${method}" was sent to it`}` });
    for (const service of grid.services.values()) {
      for (const server of [...service.pool.servers]) if (server.link.host.name === name) service.pool.retire(server, removed(service.id));
    }
    // Calls already sent on a proxy go on (or are cut short with the workers); new ones are refused.
    for (const handle of [...grid.handles]) if (handle.server.link.host.name === name) handle.halt(removed(handle.server.service));
    for (const [service, owed] of grid.takeOverRestarts(name)) {
      for (let i = 0; i < owed; i++) service.pool.replaced({ error: removed(service.id) }, name);
    }
  }

  async #run(name: string, force: AbortSignal): Promise<HostInfo> {
    const grid = this.#grid;
    // Services published before this ran (it waited for them) have servers on the host too.
    this.#retire(name);
    const links = grid.links.filter((link) => link.host.name === name);
    if (!force.aborted) {
      // A call handed a server just before the retirement is sent a turn later: wait that turn.
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.race([Promise.all(links.map((link) => link.whenIdle())), new Promise((resolve) => force.addEventListener('abort', resolve, { once: true }))]);
    }
    const cut = force.aborted;
    for (const link of links) {
      link.rejectPending((pending) =>
        new WorkerLostError({ service: pending.service, method: pending.method, host: name, slot: link.slot, message: `host "${name}" was removed from the grid while calling "${pending.service}.${pending.method}" on slot ${link.slot}` }),
      );
    }
    await Promise.allSettled(links.map((link) => link.close(cut ? 0 : grid.shutdownGraceMs)));
    for (const link of links) {
      const at = grid.links.indexOf(link);
      if (at >= 0) grid.links.splice(at, 1);
    }
    for (const service of grid.services.values()) {
      for (const server of [...service.pool.retiring]) if (server.link.host.name === name) service.pool.drop(server);
    }
    const at = grid.hosts.findIndex((host) => host.name === name);
    if (grid.terminated() || at < 0) throw new HaltedError({ host: name, message: `the grid was terminated while host "${name}" was being removed` });
    const host = grid.hosts[at]!;
    const staging = grid.staging();
    const info: HostInfo = { name, slots: host.slots, tempPath: staging.tempPathOf(name) };
    grid.hosts.splice(at, 1);
    await staging.dropHost(name);
    grid.emit('host-removed', info);
    grid.log(`removed host ${name} (${links.length} workers stopped${cut ? ', calls cut short' : ''})`, { host: name }, 'info');
    return info;
  }
}
