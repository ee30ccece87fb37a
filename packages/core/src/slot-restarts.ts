import { WorkerLostError } from './errors.js';
import type { LogFields, LogLevel } from './grid-log.js';
import type { GridEvents } from './events.js';
import type { ResolvedHost } from './host-spec.js';
import { backoffDelay } from './policies.js';
import { serverInfo, type Service } from './published-service.js';
import { Server, type CallObserver } from './server.js';
import type { StagingArea } from './staging-area.js';
import { WorkerLink, type LinkOptions } from './worker-link.js';

/** @internal The few grid internals a slot's restarts use. */
export interface RestartContext {
  /** The grid's workers: a restarted worker joins them. */
  readonly links: WorkerLink[];
  /** The published services: one no longer here (or published anew) gets no new server. */
  readonly services: ReadonlyMap<string, Service>;
  /** Aborted when the grid is terminated: stops a worker being started. */
  readonly starting: AbortSignal;
  /** Watches the calls of every server made. */
  readonly observer: CallObserver;
  /** The grid's staging area (where each host's copy of a module is). */
  staging(): StagingArea;
  /** How a worker is started on a slot. */
  linkOptions(host: ResolvedHost, slot: number): LinkOptions;
  emit<E extends keyof GridEvents>(event: E, ...args: Parameters<GridEvents[E]>): boolean;
  log(message: string, fields?: LogFields, level?: LogLevel): void;
  /** Whether the grid was terminated. */
  terminated(): boolean;
}

/** A restart under way on one slot: the services waiting for it. */
interface SlotRestart {
  readonly host: string;
  readonly services: Set<Service>;
  readonly abort: AbortController;
}

/**
 * @internal The restarts of a grid's lost servers, one per slot at a time: fresh workers
 * are started on the slot, with growing waits, and the services waiting get fresh copies
 * made from what was published.
 */
export class SlotRestarts {
  readonly #grid: RestartContext;
  /** Restarts under way, by `host/slot`. */
  readonly #restarts = new Map<string, SlotRestart>();

  constructor(grid: RestartContext) {
    this.#grid = grid;
  }

  /** Whether the service wants a new server on `label`, and may still have one. */
  canRestart(service: Service, label: string): boolean {
    return service.options.restart !== undefined && (service.restarts.get(label) ?? 0) < service.options.restart.maxRestarts;
  }

  /**
   * Joins the services to the slot's restart, starting one if none is under way. Each
   * service in a restart was removed from its pool with `replacing`, and leaves the
   * restart only through {@link SlotRestarts.#settle}: with a server, or with an error.
   */
  restart(host: ResolvedHost, slot: number, services: readonly Service[]): void {
    const label = `${host.name}/${slot}`;
    const running = this.#restarts.get(label);
    if (running !== undefined) {
      for (const service of services) running.services.add(service);
      return;
    }
    const restart: SlotRestart = { host: host.name, services: new Set(services), abort: new AbortController() };
    this.#restarts.set(label, restart);
    void this.#run(host, slot, restart);
  }

  /**
   * A server of a service with a restart policy was lost and gets no restart: its slot's
   * budget is spent (by failed attempts or by restarts that worked). The slot is given up
   * as when the last attempt fails. A service without a restart policy gives nothing up.
   */
  spent(service: Service, host: ResolvedHost, slot: number, error: WorkerLostError): void {
    const policy = service.options.restart;
    if (policy === undefined) return;
    const used = service.restarts.get(`${host.name}/${slot}`) ?? 0;
    this.#announce(service, host, slot, new WorkerLostError({
      service: service.id,
      host: host.name,
      slot,
      message: `gave up restarting "${service.id}" on host "${host.name}" slot ${slot}: its worker was lost with ${used} of ${policy.maxRestarts} restarts used: ${error.message}`,
      cause: error,
    }));
  }

  /** Cancels every restart under way: none may add a worker any more. */
  abortAll(): void {
    for (const restart of this.#restarts.values()) restart.abort.abort();
  }

  /** A terminated service: its restarts stop waiting for it; a restart left with no service is cancelled. */
  dropService(service: Service): void {
    for (const restart of this.#restarts.values()) {
      if (restart.services.has(service)) this.#settle(restart, service, { error: new WorkerLostError({ service: service.id, message: `service "${service.id}" was terminated` }) });
      if (restart.services.size === 0) restart.abort.abort();
    }
  }

  /**
   * Cancels the host's restarts, for the host rejoins: the services that waited on them
   * are handed over, each with the number of servers its pool is still owed (each one
   * `replaced` it must get).
   */
  takeOver(hostName: string): Map<Service, number> {
    const owed = new Map<Service, number>();
    for (const [label, restart] of this.#restarts) {
      if (!label.startsWith(`${hostName}/`)) continue;
      for (const service of restart.services) owed.set(service, (owed.get(service) ?? 0) + 1);
      restart.services.clear();
      restart.abort.abort();
    }
    return owed;
  }

  /** Ends a service's part in a restart: it got a server, or will get none. */
  #settle(restart: SlotRestart, service: Service, outcome: { server: Server } | { error: WorkerLostError }): boolean {
    restart.services.delete(service);
    return service.pool.replaced(outcome, restart.host);
  }

  /**
   * Starts fresh workers on the slot, with growing waits, until every waiting service has
   * its copy again or has used up its `maxRestarts`; copies are made from what was
   * published. Everything is checked again after each wait: the grid may have been
   * terminated, a service dropped, the new worker lost.
   */
  async #run(host: ResolvedHost, slot: number, restart: SlotRestart): Promise<void> {
    const grid = this.#grid;
    const label = `${host.name}/${slot}`;
    const stopped = (): boolean => grid.terminated() || restart.abort.signal.aborted;
    const halted = (service: Service): WorkerLostError =>
      new WorkerLostError({ service: service.id, host: host.name, slot, message: `the restart of "${service.id}" on host "${host.name}" slot ${slot} was cancelled` });
    try {
      for (let attempt = 0; restart.services.size > 0; attempt++) {
        const delay = Math.min(...[...restart.services].map((service) => backoffDelay(service.options.restart!, attempt)));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          restart.abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        if (stopped()) break;
        for (const service of [...restart.services]) {
          if (grid.services.get(service.id) !== service) this.#settle(restart, service, { error: halted(service) });
          else service.restarts.set(label, (service.restarts.get(label) ?? 0) + 1);
        }
        if (restart.services.size === 0) break;
        let link: WorkerLink;
        try {
          link = await WorkerLink.open({ ...grid.linkOptions(host, slot), signal: AbortSignal.any([grid.starting, restart.abort.signal]) });
        } catch (error) {
          if (stopped()) break;
          grid.log(`restart ${attempt + 1} of ${label} failed: ${(error as Error).message}`, { host: host.name, slot, err: error }, 'warn');
          for (const service of [...restart.services]) if (!this.canRestart(service, label)) this.#giveUp(restart, service, host, slot, error as Error);
          continue;
        }
        if (stopped()) {
          link.kill();
          break;
        }
        grid.links.push(link);
        for (const service of [...restart.services]) {
          if (grid.services.get(service.id) !== service) {
            this.#settle(restart, service, { error: halted(service) });
            continue;
          }
          try {
            await link.create({ service: service.id, ...service.create, module: grid.staging().moduleFor(host.name, service.create.module) });
          } catch (error) {
            // The new worker died too: the next attempt, if the budget allows; a load failure: give up.
            if (!link.alive && this.canRestart(service, label)) continue;
            this.#giveUp(restart, service, host, slot, error as Error);
            continue;
          }
          if (stopped() || grid.services.get(service.id) !== service || !link.alive) {
            if (link.alive) void link.destroy(service.id).catch(() => undefined);
            if (!link.alive && !stopped() && grid.services.get(service.id) === service && this.canRestart(service, label)) continue;
            this.#settle(restart, service, { error: halted(service) });
            continue;
          }
          const server = new Server(link, service.id);
          server.observer = grid.observer;
          if (!this.#settle(restart, service, { server })) continue;
          grid.emit('server-added', serverInfo(server));
          grid.emit('server-restarted', serverInfo(server), service.restarts.get(label) ?? 1);
          grid.log(`restarted ${service.id} on ${label} (restart ${service.restarts.get(label) ?? 1})`, { host: host.name, slot, service: service.id, restarts: service.restarts.get(label) ?? 1 }, 'info');
        }
        // Services whose copy could not be made on the new worker wait for the next attempt.
        for (const service of [...restart.services]) if (!this.canRestart(service, label)) this.#giveUp(restart, service, host, slot, new Error('its worker was lost again'));
      }
    } finally {
      for (const service of [...restart.services]) this.#settle(restart, service, { error: halted(service) });
      if (this.#restarts.get(label) === restart) this.#restarts.delete(label);
    }
  }

  #giveUp(restart: SlotRestart, service: Service, host: ResolvedHost, slot: number, error: Error): void {
    const grid = this.#grid;
    const label = `${host.name}/${slot}`;
    const lost = new WorkerLostError({
      service: service.id,
      host: host.name,
      slot,
      message: `gave up restarting "${service.id}" on host "${host.name}" slot ${slot} after ${service.restarts.get(label) ?? 0} attempts: ${error.message}`,
      cause: error,
    });
    this.#settle(restart, service, { error: lost });
    this.#announce(service, host, slot, lost);
  }

  /** Emits `server-given-up` for a service still published on a running grid. */
  #announce(service: Service, host: ResolvedHost, slot: number, lost: WorkerLostError): void {
    const grid = this.#grid;
    if (!grid.terminated() && grid.services.get(service.id) === service) {
      grid.emit('server-given-up', { service: service.id, host: host.name, slot }, lost);
    }
    grid.log(lost.message, { host: host.name, slot, service: service.id, err: lost }, 'error');
  }
}
