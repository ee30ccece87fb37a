import { HaltedError, HostgridError, WorkerLostError } from './errors.js';
import type { LogFields, LogLevel } from './grid-log.js';
import type { GridEvents, ServerInfo } from './events.js';
import type { HostSpec, ResolvedHost } from './host-spec.js';
import { serverInfo, type Service } from './published-service.js';
import { Server, type CallObserver } from './server.js';
import type { StagingArea, StagingProgressEvent } from './staging-area.js';
import { WorkerLink, type LinkOptions } from './worker-link.js';

/** @internal The few grid internals that adding a host uses. */
export interface JoinContext {
  /** The grid's hosts: a new host is added here, a rejoining one replaced. */
  readonly hosts: ResolvedHost[];
  /** The grid's workers: the new host's join them once it has its copies. */
  readonly links: WorkerLink[];
  /** The published services: the new host gets a copy of each. */
  readonly services: ReadonlyMap<string, Service>;
  /** Watches the calls of every server made. */
  readonly observer: CallObserver;
  /** Where staging progress is reported. */
  readonly onStagingProgress: (event: StagingProgressEvent) => void;
  /** The grid's staging area. */
  staging(): StagingArea;
  /** How a worker is started on a slot. */
  linkOptions(host: ResolvedHost, slot: number): LinkOptions;
  /** Cancels the host's restarts; the services that waited on them, with the servers each is owed. */
  takeOverRestarts(hostName: string): Map<Service, number>;
  /** The grid's public `addHost`, for hosts the transport announces. */
  addHost(spec: string | HostSpec): Promise<ServerInfo[]>;
  emit<E extends keyof GridEvents>(event: E, ...args: Parameters<GridEvents[E]>): boolean;
  log(message: string, fields?: LogFields, level?: LogLevel): void;
  /** Whether the grid was terminated. */
  terminated(): boolean;
}

/** @internal Hosts joining a running grid: staged, started, given a copy of every service. */
export class HostJoins {
  readonly #grid: JoinContext;
  /** Workers started by a join still under way: in no pool yet, so terminate kills them by this. */
  readonly #joining = new Set<WorkerLink>();

  constructor(grid: JoinContext) {
    this.#grid = grid;
  }

  /** Kills the workers of every join under way: the grid is being terminated. */
  killJoining(): void {
    for (const link of this.#joining) link.kill();
  }

  /** Adds the host (see `Grid.addHost`); run one membership change at a time. */
  async join(host: ResolvedHost): Promise<ServerInfo[]> {
    const grid = this.#grid;
    if (grid.terminated()) throw new HaltedError({ message: 'the grid was terminated' });
    if (grid.links.some((link) => link.alive && link.host.name === host.name)) {
      throw new HostgridError({ host: host.name, message: `host "${host.name}" is already in the grid, with workers running; give a new host another name` });
    }
    const known = grid.hosts.findIndex((h) => h.name === host.name);
    // The host's restarts give way; the services waiting on them (each owed one
    // `replaced` by its pool, which keeps their waiters waiting) wait on this join instead.
    const owed = grid.takeOverRestarts(host.name);
    const settleOwed = (service: Service, server: Server | undefined, error: Error | undefined): boolean => {
      const count = owed.get(service) ?? 0;
      if (count === 0) return false;
      if (count === 1) owed.delete(service);
      else owed.set(service, count - 1);
      if (server !== undefined) return service.pool.replaced({ server }, host.name);
      const lost = new WorkerLostError({ service: service.id, host: host.name, message: `host "${host.name}" could not rejoin: ${error?.message ?? 'no server of it was left'}`, cause: error });
      service.pool.replaced({ error: lost }, host.name);
      return false;
    };
    const links: WorkerLink[] = [];
    const made: Service[] = [];
    const staging = grid.staging();
    try {
      await staging.addHost(host, grid.onStagingProgress);
    } catch (error) {
      for (const [service, count] of [...owed]) for (let i = 0; i < count; i++) settleOwed(service, undefined, error as Error);
      throw error;
    }
    try {
      // Terminated while the host was staged: nothing may start on it now.
      if (grid.terminated()) throw new HaltedError({ host: host.name, message: `the grid was terminated while host "${host.name}" was being added` });
      const outcomes = await Promise.allSettled(
        Array.from({ length: host.slots }, (_, slot) =>
          WorkerLink.open(grid.linkOptions(host, slot)).then((link) => {
            this.#joining.add(link);
            // Terminated while it started: terminate has already killed the others.
            if (grid.terminated()) link.kill();
            return link;
          }),
        ),
      );
      for (const outcome of outcomes) if (outcome.status === 'fulfilled') links.push(outcome.value);
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      for (const service of grid.services.values()) {
        const module = staging.moduleFor(host.name, service.create.module);
        await Promise.all(links.map((link) => link.create({ service: service.id, ...service.create, module })));
        made.push(service);
      }
      if (grid.terminated()) throw new HaltedError({ host: host.name, message: `the grid was terminated while host "${host.name}" was being added` });
    } catch (error) {
      for (const link of links) link.kill();
      for (const [service, count] of [...owed]) for (let i = 0; i < count; i++) settleOwed(service, undefined, error as Error);
      if (known < 0) await staging.dropHost(host.name);
      throw grid.terminated() && !(error instanceof HaltedError)
        ? new HaltedError({ host: host.name, message: `the grid was terminated while host "${host.name}" was being added`, cause: error })
        : error;
    } finally {
      for (const link of links) this.#joining.delete(link);
    }
    if (known >= 0) grid.hosts[known] = host;
    else grid.hosts.push(host);
    grid.links.push(...links);
    const added: ServerInfo[] = [];
    for (const service of made) {
      for (const link of links) {
        if (grid.services.get(service.id) !== service) {
          if (link.alive) void link.destroy(service.id).catch(() => undefined);
          continue;
        }
        // A worker lost meanwhile is in no pool, so no loss event could take it out.
        if (!link.alive) continue;
        const server = new Server(link, service.id);
        server.observer = grid.observer;
        if (owed.has(service)) {
          if (!settleOwed(service, server, undefined)) continue;
        } else {
          service.pool.add(server);
        }
        added.push(serverInfo(server));
        grid.emit('server-added', serverInfo(server));
      }
    }
    // Services the join made no server for (dropped meanwhile, or every new worker lost).
    for (const [service, count] of [...owed]) for (let i = 0; i < count; i++) settleOwed(service, undefined, undefined);
    grid.emit('host-added', { name: host.name, slots: host.slots, tempPath: staging.tempPathOf(host.name) });
    grid.log(`added host ${host.name} (${host.slots} slots) with ${made.length} services`, { host: host.name }, 'info');
    return added;
  }

  /** A host announced by the transport's `watchHosts`: added, or reported as failed. */
  announced(spec: HostSpec): void {
    const grid = this.#grid;
    const name = typeof spec === 'object' && spec !== null ? String(spec.name) : String(spec);
    grid.addHost(spec).catch((error: unknown) => {
      if (grid.terminated()) return;
      grid.log(`host ${name} could not join: ${(error as Error).message}`, { host: name, err: error }, 'error');
      grid.emit('host-failed', name, error as Error);
    });
  }
}
