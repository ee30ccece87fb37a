import { EventEmitter } from 'node:events';
import { basename, isAbsolute } from 'node:path';
import { locateClass } from './class-registry.js';
import { encode, isWorkerProcess } from '@hostgrid/protocol';
import { HaltedError, HostgridError, MethodNotFoundError, NestedGridError, SerializationError, ServiceNotFoundError, StagingError, ThenableServiceError, TimeoutError, WorkerLostError, type ErrorContext } from './errors.js';
import type { GridEvents, HostInfo, ServerInfo } from './events.js';
import { startMap } from './map/grid-map.js';
import type { MapEntry, MapFailure, MapOptions, MapResults } from './map/map-options.js';
import { resolveHosts, type HostSpec, type ResolvedHost } from './host-spec.js';
import { killOnExit } from './process-exit.js';
import { ProxyHandle, createProxy, handleOf, type ServiceProxy } from './proxy.js';
import { publishTarget, type PublishPlan, type PublishSpec } from './publish-target.js';
import { Result, settle, watch } from './result.js';
import { checkTimeout } from './timeout.js';
import { HostJoins } from './host-join.js';
import { HostRemovals, type RemoveHostOptions } from './host-removal.js';
import { GridLog, checkLogger, type LogFields, type Logger, type LogLevel } from './grid-log.js';
import { serverInfo, type Service } from './published-service.js';
import { Server, type CallObserver } from './server.js';
import { SlotRestarts } from './slot-restarts.js';
import { ServerPool, type AcquireOptions } from './server-pool.js';
import type { Transport } from './transport.js';
import type { TypedEventEmitter } from './typed-emitter.js';
import { StagingArea, type CopyOptions, type CopyReport, type StagingProgressEvent } from './staging-area.js';
import { WorkerLink, type HeartbeatOptions, type LinkHooks, type LinkOptions } from './worker-link.js';
import { checkPublishOptions, retriesFor, type PublishOptions } from './policies.js';
import { bundledWorkerEntry } from './worker-entry.js';
import { checkDurationMs } from './timeout.js';

/** A published service's id: `"<ClassName>.<n>"`, unique within its grid. */
export type ServiceId = string;

/** Options of {@link Grid.start}. */
export interface GridOptions {
  /** The hosts: names, or {@link HostSpec}s with slots, temp path, niceness, …. */
  readonly hosts: ReadonlyArray<string | HostSpec>;
  /** How hosts are reached: `localTransport()`, an SSH or WebSocket transport, …. */
  readonly transport: Transport;
  /** Stream every worker's stdout and stderr to this process's, each line prefixed `[host/slot]`. @defaultValue false */
  readonly display?: boolean;
  /**
   * Where the grid logs, with structured fields (`host`, `slot`, `service`, `method`,
   * `err`): pino, or any {@link Logger} of its shape. Its level decides what is kept:
   * the grid's life (starts, publishes, copies) at `debug`; hosts removed and restarts
   * done at `info`; lost workers, failed restarts, retries and unobserved failures at
   * `warn`; slots given up and hosts that could not join at `error`; every call at
   * `trace`. With a logger, the grid writes nothing to stderr itself.
   * @defaultValue none: the grid is silent
   */
  readonly logger?: Logger;
  /**
   * Report the grid's life (starts, publishes, losses) as `debug` events, or, when nobody
   * listens and no `logger` is given, on stderr. (A logger gets these messages at its own
   * level, `debug` or not.) @defaultValue false
   */
  readonly debug?: boolean;
  /** With `debug`, report every call as well. @defaultValue false */
  readonly verbose?: boolean;
  /** Heartbeat and watchdog timing. */
  readonly heartbeat?: HeartbeatOptions;
  /** How long a worker may take from spawn to ready, in ms. @defaultValue 30000 */
  readonly startTimeoutMs?: number;
  /** How long `terminate` waits for a worker to exit before killing it, in ms. @defaultValue 2000 */
  readonly shutdownGraceMs?: number;
  /** The worker runtime to run instead of the bundled `hostgrid-worker` (an absolute path; see also {@link Grid.setLoader}). */
  readonly workerEntry?: string;
  /**
   * A folder every host sees at the same path (a shared file system): it becomes every
   * host's temp path, and files are copied into it once. @defaultValue each host gets its own
   */
  readonly sharedTempPath?: string;
  /**
   * Start even inside a Hostgrid worker. Without it, `Grid.start` in a worker throws
   * {@link NestedGridError}: there it is nearly always a service module that also starts
   * the grid, which every worker imports (and would then start workers of its own).
   * @defaultValue false
   */
  readonly allowInWorker?: boolean;
}

/** Options of {@link Grid.terminate} for the whole grid. */
export interface TerminateOptions {
  /**
   * Remove the temp folders the grid made (never a `tempPath` or `sharedTempPath` that was
   * already there); `false` keeps them, e.g. to look at what a run left on its hosts.
   * @defaultValue true
   */
  readonly cleanup?: boolean;
}

/** Options of {@link Grid.call}. */
export interface GridCallOptions {
  /** Aborting rejects the call with the signal's reason (a call that has started runs to its end, its server held until then). */
  readonly signal?: AbortSignal;
  /**
   * The most the whole call may take, in ms, from waiting for a server to the result: it
   * then rejects with `TimeoutError`. A call that has started runs to its end, and its
   * server stays held until then (as with `Result.get(timeout)`). @defaultValue no limit
   */
  readonly timeout?: number;
  /** The most the wait for a free server may take, in ms: it then rejects with `TimeoutError`. @defaultValue no limit */
  readonly acquireTimeout?: number;
  /**
   * Send the call again to another server, this many times, when its server is lost.
   * Only for methods that may run twice without harm. @defaultValue the service's retry policy for the method, else 0
   */
  readonly retries?: number;
}

type GridEmitter = new () => TypedEventEmitter<GridEvents>;

/**
 * A set of hosts running workers, and the services published on them: the seed's
 * `AbstractGrid`. Start one with {@link Grid.start}; stop it with {@link Grid.terminate}
 * (or `await using`).
 *
 * @example
 * ```ts
 * await using grid = await Grid.start({ hosts: [{ name: 'local', slots: 4 }], transport: localTransport() });
 * const id = await grid.publish(new Replica(16));
 * const proxy = await grid.acquireService<Replica>(id);
 * proxy.setTemperature(2.2);            // calls run in order on one server…
 * const e = await proxy.sample(100);    // …and return awaitable Results
 * grid.releaseService(proxy);
 * ```
 */
export class Grid extends (EventEmitter as GridEmitter) implements AsyncDisposable {
  readonly #hosts: ResolvedHost[];
  readonly #transport: Transport;
  readonly #options: GridOptions;
  readonly #links: WorkerLink[] = [];
  readonly #services = new Map<ServiceId, Service>();
  readonly #classCounters = new Map<string, number>();
  readonly #handles = new Set<ProxyHandle>();
  readonly #terminatedServices = new Set<ServiceId>();
  /** Restarts of lost servers under way, one per slot. */
  readonly #restarts: SlotRestarts;
  readonly #starting = new AbortController();
  #staging: StagingArea | undefined;
  #workerEntry = '';
  /** Heartbeat timing with its defaults: for workers, and for the links a transport watches. */
  readonly #heartbeat: Required<HeartbeatOptions>;
  readonly #stopKillOnExit: () => void;
  readonly #logs: GridLog;
  #terminated: Promise<void> | undefined;
  /** Publish, setLoader and addHost run one at a time: each must see the others' workers and services. */
  #membership: Promise<unknown> = Promise.resolve();
  #unwatchHosts: (() => void) | undefined;
  /** Hosts being added; their workers are not in `#links` yet, so terminate kills them through this. */
  readonly #joins: HostJoins;
  /** Hosts being removed. */
  readonly #removals: HostRemovals;
  /** Maps made so far: each `map-progress` event carries its map's number. */
  #maps = 0;

  private constructor(options: GridOptions, hosts: ResolvedHost[]) {
    super();
    this.#options = options;
    this.#transport = options.transport;
    this.#hosts = hosts;
    this.#heartbeat = {
      intervalMs: options.heartbeat?.intervalMs ?? 1000,
      misses: options.heartbeat?.misses ?? 10,
      watchdogMs: options.heartbeat?.watchdogMs ?? 60_000,
    };
    this.#logs = new GridLog(this, options);
    this.#stopKillOnExit = killOnExit(this);
    const internals = {
      links: this.#links,
      services: this.#services,
      starting: this.#starting.signal,
      observer: this.#observer,
      staging: (): StagingArea => this.#staging!,
      linkOptions: (host: ResolvedHost, slot: number): LinkOptions => this.#linkOptions(host, slot),
      emit: this.emit.bind(this),
      log: (message: string, fields?: LogFields, level?: LogLevel): void => this.#log(message, fields, level),
      terminated: (): boolean => this.#terminated !== undefined,
    };
    this.#restarts = new SlotRestarts(internals);
    this.#joins = new HostJoins({
      ...internals,
      hosts: this.#hosts,
      onStagingProgress: this.#onStagingProgress,
      takeOverRestarts: (hostName) => this.#restarts.takeOver(hostName),
      addHost: (spec) => this.addHost(spec),
    });
    this.#removals = new HostRemovals({
      ...internals,
      hosts: this.#hosts,
      handles: this.#handles,
      shutdownGraceMs: options.shutdownGraceMs ?? 2000,
      takeOverRestarts: (hostName) => this.#restarts.takeOver(hostName),
      exclusive: (task) => this.#exclusive(task),
    });
  }

  /**
   * Starts a worker on every slot of every host (all at once) and resolves when all are ready.
   *
   * @throws TypeError for malformed options; RangeError for a negative (or NaN)
   *   `startTimeoutMs` or `shutdownGraceMs`; the first start failure otherwise (a
   *   `HostgridError` naming the host and slot), after stopping every worker that did start
   */
  static async start(options: GridOptions): Promise<Grid> {
    if (typeof options !== 'object' || options === null) throw new TypeError('[hostgrid] Grid.start needs an options object');
    if (typeof options.transport?.spawn !== 'function') {
      throw new TypeError('[hostgrid] Grid.start needs a "transport", e.g. localTransport() from @hostgrid/transport-local');
    }
    if (options.sharedTempPath !== undefined && (typeof options.sharedTempPath !== 'string' || !isAbsolute(options.sharedTempPath))) {
      throw new TypeError(`[hostgrid] "sharedTempPath" must be an absolute path, got ${JSON.stringify(options.sharedTempPath)}`);
    }
    checkHeartbeat(options.heartbeat);
    checkLogger(options.logger);
    checkDurationMs(options.startTimeoutMs, 'Grid.start: "startTimeoutMs"');
    checkDurationMs(options.shutdownGraceMs, 'Grid.start: "shutdownGraceMs"');
    if (isWorkerProcess() && options.allowInWorker !== true) throw nestedGrid();
    const grid = new Grid(options, resolveHosts(options.hosts));
    try {
      grid.#staging = await StagingArea.prepare(grid.#transport, grid.hosts, options.sharedTempPath, grid.#heartbeat);
      grid.#workerEntry = await grid.#staging.stageWorker(options.workerEntry ?? bundledWorkerEntry(), grid.#onStagingProgress);
      await grid.#startWorkers();
      grid.#unwatchHosts = grid.#transport.watchHosts?.((spec) => grid.#joins.announced(spec));
    } catch (error) {
      // Nothing the grid made is of use after a failed start, its temp folders included.
      await grid.terminate({ cleanup: true }).catch(() => undefined);
      throw error;
    }
    return grid;
  }

  /** The hosts, with defaults filled in: those given to `start`, and those added since. */
  get hosts(): readonly ResolvedHost[] {
    return [...this.#hosts];
  }

  /**
   * Adds a host to the running grid: elastic growth, which the seed does not have. The
   * host gets what the others have (its temp path, the worker runtime, every earlier
   * `copyFiles` made to all hosts, redone from the files as they are now), a worker on
   * each slot, and a copy of every published service; its servers then join the pools
   * (waiting `acquireService` calls are served first come, first served). A transport
   * whose hosts join by themselves (`watchHosts`) has this called for each.
   *
   * A host whose name is in the grid joins again only when all its workers are lost: it
   * starts afresh (its temp path made again — a new folder unless the host spec or
   * `sharedTempPath` names one — the worker and earlier copies staged again, fresh copies
   * made from what was published), and restarts still waiting for it give way to it.
   *
   * @returns the servers added, one per service and slot
   * @throws TypeError for a malformed spec; {@link HostgridError} when a host of that name
   *   has workers running; `StagingError`, a start failure or a `LoadError` as `start` and
   *   `publish` would, after stopping whatever was started for the host; {@link HaltedError} after terminate
   */
  async addHost(spec: string | HostSpec): Promise<ServerInfo[]> {
    this.#assertRunning();
    const host = resolveHosts([spec])[0]!;
    return this.#exclusive(() => this.#joins.join(host));
  }

  /**
   * Takes a host out of the running grid: what a user does before a batch job's time
   * limit, or to retire a sick machine. At once, its servers are handed out no more (they
   * show as `draining` in `grid.servers`), calls waiting for them (a broadcast or scatter
   * waiting its turn, an `acquireService` for that host) reject with `WorkerLostError`, its
   * proxies take no more calls, and its restarts are cancelled; `grid.call` and `grid.map`
   * go on with the other hosts. Then its workers stop — with `drain` (the default) once the
   * calls sent to them have ended, without it at once, those calls rejecting with
   * `WorkerLostError` — after every membership change under way (publish, addHost), and the
   * host leaves `grid.hosts`, its temp folder is removed (unless it was given, or shared)
   * and `host-removed` is emitted. The last host may go too: services then have no
   * servers until `addHost` gives them some. A host removed may be added again by name.
   *
   * @returns the host removed, once its workers have stopped (a second call for a host being
   *   removed gets the same; with `drain: false`, it cuts the drain short)
   * @throws {@link HostNotFoundError} for a name not in the grid (naming its hosts);
   *   TypeError for a bad `drain`; {@link HaltedError} after (or during) terminate
   */
  removeHost(name: string, options: RemoveHostOptions = {}): Promise<HostInfo> {
    return this.#removals.remove(name, options);
  }

  /**
   * Copies files to the hosts' temp paths, keeping their paths relative to `rootDir`
   * (the seed's `copy_files`). Each pattern is `folder/namepattern`: every file under
   * `folder`, at any depth, whose base name matches is copied (`data/*.txt` takes
   * `data/x.txt` and `data/a/b/y.txt`); a pattern with no folder searches all of
   * `rootDir`. Files a host already holds with the same content and mode are not sent
   * again. Progress is reported as `staging-progress` events.
   *
   * @returns per host: files and bytes sent, and skipped as unchanged; and the patterns that matched nothing
   * @throws {@link StagingError} for a missing `rootDir`, a pattern or link that escapes it
   *   (nothing is sent then), an unknown host, or a failed write (naming host and file)
   */
  async copyFiles(rootDir: string, patterns: readonly string[], options: CopyOptions = {}): Promise<CopyReport> {
    this.#assertRunning();
    const report = await this.#staging!.copy(rootDir, patterns, options, this.#onStagingProgress);
    this.#log(`copied ${report.files} files from ${rootDir} to ${report.hosts.map((h) => `${h.host} (${h.filesSent} sent, ${h.filesUnchanged} unchanged)`).join(', ')}`);
    return report;
  }

  /**
   * Runs every worker from a custom entry instead of the bundled runtime (the seed's
   * `set_loader`): the file is staged on every host and the workers are restarted with
   * it. The entry must speak the worker protocol (see `createWorkerSession` in
   * `@hostgrid/worker`). Call it before anything is published.
   *
   * @throws {@link HostgridError} when a service is published; {@link StagingError} when the
   *   file cannot be staged; a start failure, as {@link Grid.start} would
   */
  async setLoader(path: string): Promise<void> {
    this.#assertRunning();
    if (typeof path !== 'string' || !isAbsolute(path)) throw new TypeError(`[hostgrid] setLoader needs an absolute path, got ${JSON.stringify(path)}`);
    if (basename(path) === 'manifest.json') {
      throw new TypeError('[hostgrid] setLoader: a loader may not be named manifest.json (the name of the staging manifest beside it)');
    }
    await this.#exclusive(() => this.#reload(path));
  }

  async #reload(path: string): Promise<void> {
    this.#assertRunning();
    if (this.#services.size > 0) {
      throw new HostgridError({ message: `setLoader must come before publish: ${[...this.#services.keys()].join(', ')} already published` });
    }
    this.#workerEntry = await this.#staging!.stageWorker(path, this.#onStagingProgress);
    // No service is published, so no restart has anyone waiting; none may add a worker now.
    this.#restarts.abortAll();
    const old = this.#links.splice(0);
    await Promise.allSettled(old.map((link) => link.close(this.#options.shutdownGraceMs ?? 2000)));
    await this.#startWorkers();
  }

  /**
   * Publishes a service: every server (one per host slot) gets its own copy of the object.
   * Pass an instance of a class given to `registerClass` (revived on each host from its
   * own enumerable state), or `{ module, export, args }` (constructed on each host).
   *
   * With `options.restart`, a lost server is replaced by a fresh one made from what was
   * published (not from the lost copy's state); with `options.retry`, `grid.call`s of the
   * methods it names are sent again to another server when theirs is lost.
   *
   * @returns the service id, `"<ClassName>.<n>"`, once every server holds its copy
   * @throws `LoadError` when a host cannot load the class; `SerializationError` when the
   *   state or arguments cannot be sent, or encode to more than a host's frame limit (then
   *   before anything is sent to any host); `RemoteError` when the constructor throws;
   *   {@link HaltedError} after terminate. Nothing stays published when it throws.
   */
  async publish(target: object | PublishSpec, options: PublishOptions = {}): Promise<ServiceId> {
    this.#assertRunning();
    checkPublishOptions(options);
    const plan = publishTarget(target, locateClass);
    return this.#exclusive(() => this.#publish(plan, options));
  }

  async #publish({ className, create }: PublishPlan, options: PublishOptions): Promise<ServiceId> {
    this.#assertRunning();
    const links = this.#links.filter((link) => link.alive && !this.#removals.removing(link.host.name));
    // Every host's copy of the module is found before anything is sent.
    const modules = links.map((link) => this.#staging!.moduleFor(link.host.name, create.module));
    const n = (this.#classCounters.get(className) ?? 0) + 1;
    this.#classCounters.set(className, n);
    const id = `${className}.${n}`;
    if (links.length === 0) throw new WorkerLostError({ service: id, message: `cannot publish "${id}": no worker is left` });
    // Every host's message is encoded and checked against its link's frame limit before any is sent.
    const sends = links.map((link, i) => link.prepareCreate({ service: id, ...create, module: modules[i]! }));
    const outcomes = await Promise.allSettled(sends.map((send) => send()));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined || this.#terminated !== undefined) {
      await Promise.allSettled(links.map((link, i) => (outcomes[i]!.status === 'fulfilled' ? link.destroy(id) : undefined)));
      throw failed?.reason ?? new HaltedError({ service: id, message: `the grid was terminated while "${id}" was being published` });
    }
    const methods = new Set((outcomes[0] as PromiseFulfilledResult<readonly string[]>).value);
    if (methods.has('then')) {
      await Promise.allSettled(links.map((link) => link.destroy(id)));
      throw new ThenableServiceError({
        service: id,
        method: 'then',
        message: `cannot publish "${id}": class ${className} has a method named "then", so its proxy would be taken for a promise (await would call it); rename the method`,
      });
    }
    // A worker lost while the copies were made is not in any pool yet, so no loss
    // event could take it out: leave it out here.
    const serving = links.filter((link) => link.alive);
    if (serving.length === 0) throw new WorkerLostError({ service: id, message: `cannot publish "${id}": every worker was lost while publishing` });
    const pool = new ServerPool(id);
    for (const link of serving) {
      const server = new Server(link, id);
      server.observer = this.#observer;
      pool.add(server);
      this.emit('server-added', serverInfo(server));
    }
    this.#services.set(id, { id, methods, pool, create, options, restarts: new Map() });
    this.#log(`published ${id} on ${serving.length} servers (methods: ${[...methods].join(', ')})`, { service: id });
    return id;
  }

  /**
   * A proxy to a free server of the service; waits, first come first served, while all
   * are busy. Calls made on the proxy run on that server in order until it is released.
   * With `options.host`, a server on that host (waiting while its servers are busy, in
   * the same queue as everyone else).
   *
   * @throws {@link ServiceNotFoundError} for an unknown id; {@link HostNotFoundError} for a
   *   `host` not in the grid (or being removed); `WorkerLostError` when the host has no
   *   server of the service (or its last is lost, or it is removed, while waiting); `TimeoutError` after
   *   `options.timeout`; the signal's reason when `options.signal` aborts; {@link WorkerLostError}
   *   when the service has no server left; {@link HaltedError} after terminate
   */
  async acquireService<T = Record<string, (...args: never[]) => unknown>>(id: ServiceId, options: AcquireOptions = {}): Promise<ServiceProxy<T>> {
    const service = this.#service(id);
    if (options.host !== undefined) this.#removals.check(options.host, `acquireService("${id}")`);
    const server = await this.#take(service, options, 'acquireService({ timeout })');
    const handle = new ProxyHandle(server, service.methods, this.#releaseHandle);
    this.#handles.add(handle);
    return createProxy<T>(handle);
  }

  /**
   * Calls `method(...args)` on any free server of the service (waiting while all are
   * busy) and gives the server back when the call ends: for tasks that need no state from
   * earlier calls. With `retries` (or the service's retry policy), a call whose server is
   * lost is sent again to another server. `timeout` limits the whole call (retries
   * included); `acquireTimeout` only the wait for a server.
   *
   * @returns the call's {@link Result}: a failure nobody handles is reported as an
   *   `unobserved-failure` event rather than becoming an unhandled rejection
   * @throws (as the result's rejection) what the call threw (`RemoteError`, …);
   *   `WorkerLostError` once retries are used up; {@link ServiceNotFoundError},
   *   `MethodNotFoundError`, `SerializationError` before anything is sent; `TimeoutError`
   *   after `timeout` or `acquireTimeout`; the signal's reason when it aborts
   */
  call<R = unknown>(id: ServiceId, method: string, args: readonly unknown[] = [], options: GridCallOptions = {}): Result<R> {
    const result = new Result<R>({ service: id, method });
    result[watch](this.#unobserved);
    this.#call(id, method, args, options).then(
      (value) => result[settle](true, value),
      (error: unknown) => result[settle](false, error),
    );
    return result;
  }

  async #call(id: ServiceId, method: string, args: readonly unknown[], options: GridCallOptions): Promise<unknown> {
    if (!Array.isArray(args)) throw new TypeError(`[hostgrid] call: the arguments of "${id}.${method}" must be an array, got ${typeof args}`);
    const service = this.#service(id);
    this.#assertMethod(service, method);
    assertSendable(service, method, args, 'call');
    if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) {
      throw new TypeError(`[hostgrid] call: "retries" must be an integer >= 0, got ${String(options.retries)}`);
    }
    const timeoutMs = checkTimeout(options.timeout, 'call({ timeout })');
    const acquire: AcquireOptions = { ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.acquireTimeout === undefined ? {} : { timeout: options.acquireTimeout }) };
    if (timeoutMs === undefined) return this.#callWithRetries(service, method, args, acquire, options.retries);
    // One deadline for the whole call: it aborts the wait for a server, or the call
    // itself (which, once started, runs to its end with its server held).
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(new TimeoutError({ service: id, method, timeoutMs, message: `timeout calling "${id}.${method}" after ${timeoutMs} ms` }));
    }, timeoutMs);
    timer.unref();
    try {
      const signal = options.signal === undefined ? deadline.signal : AbortSignal.any([options.signal, deadline.signal]);
      return await this.#callWithRetries(service, method, args, { ...acquire, signal }, options.retries);
    } finally {
      clearTimeout(timer);
    }
  }

  async #callWithRetries(service: Service, method: string, args: readonly unknown[], acquire: AcquireOptions, retryOption: number | undefined): Promise<unknown> {
    let retries = retryOption ?? retriesFor(service.options.retry, method);
    for (;;) {
      const server = await this.#take(service, acquire, 'call({ acquireTimeout })');
      let result: Result<unknown>;
      try {
        result = server.call(method, args, acquire.signal);
      } finally {
        service.pool.release(server);
      }
      try {
        return await result;
      } catch (error) {
        if ((error as Error)?.name !== 'WorkerLostError' || retries <= 0 || this.#terminated !== undefined) throw error;
        retries--;
        this.#log(`retrying ${service.id}.${method}: ${(error as Error).message}`, { service: service.id, method, host: (error as WorkerLostError).host, slot: (error as WorkerLostError).slot }, 'warn');
      }
    }
  }

  /**
   * Calls `method` once per input item, each on the next free server of the service
   * (load-balanced: a fast server takes more items than a slow one), reading `inputs`
   * lazily: never more than `window` items between read and yielded, so an endless
   * generator is fine. Each item is the method's one argument (`spread: true`: its
   * argument list; `chunk: n`: the method gets arrays of up to `n` items and returns
   * arrays of results). Results come in input order, or with `ordered: false` as
   * `{ index, value }` in completion order; `toArray()` collects them. Nothing is sent
   * before the first `next()`; breaking out of the loop stops the map.
   *
   * @throws at once: {@link ServiceNotFoundError}, `MethodNotFoundError`, TypeError for
   *   an input that is not iterable or a bad option, `SerializationError` naming an array
   *   item that cannot be sent. While iterating: the first failure (`onError: 'throw'`);
   *   `WorkerLostError` when the service has no server left, saying how many items ended;
   *   the signal's reason; {@link HaltedError} when the grid or service is terminated
   */
  map<R = unknown>(id: ServiceId, method: string, inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions & { readonly ordered: false; readonly onError: 'yield' }): MapResults<MapEntry<R> | MapFailure>;
  map<R = unknown>(id: ServiceId, method: string, inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions & { readonly ordered: false }): MapResults<MapEntry<R>>;
  map<R = unknown>(id: ServiceId, method: string, inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions & { readonly onError: 'yield' }): MapResults<R | MapFailure>;
  map<R = unknown>(id: ServiceId, method: string, inputs: Iterable<unknown> | AsyncIterable<unknown>, options?: MapOptions): MapResults<R>;
  map(id: ServiceId, method: string, inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions = {}): MapResults<unknown> {
    const service = this.#service(id);
    this.#assertMethod(service, method);
    const map = ++this.#maps;
    return startMap(
      {
        service: id,
        method,
        servers: service.pool.servers.length,
        acquire: (signal) => this.#take(service, { signal }, 'map'),
        release: (server) => service.pool.release(server),
        defaultRetries: retriesFor(service.options.retry, method),
        assertSendable: (args, what) => assertSendable(service, method, args, what),
        log: (message) => this.#log(message, { service: id, method }, 'warn'),
        progress: {
          onProgress: options.onProgress,
          listening: () => this.listenerCount('map-progress') > 0,
          emit: (progress) => this.emit('map-progress', { ...progress, service: id, method, map }),
        },
      },
      inputs,
      options,
    );
  }

  /**
   * Gives the proxy's server back to the pool: at once when no call is in flight, else
   * when its last call ends. Later calls on the proxy throw `ProxyReleasedError`. Idempotent.
   *
   * @throws TypeError when `proxy` did not come from `acquireService`
   */
  releaseService(proxy: object): void {
    const handle = handleOf(proxy);
    if (handle === undefined) throw new TypeError('[hostgrid] releaseService needs a proxy returned by acquireService');
    handle.release();
  }

  /** Releases every proxy handed out and not yet released (the seed's `release_all`). */
  releaseAll(): void {
    for (const handle of [...this.#handles]) handle.release();
  }

  /**
   * Calls `method(...args)` on every server of the service; each call runs when its server
   * is free (a held server finishes its holder's calls first).
   *
   * @returns one result per server, in server order
   * @throws {@link ServiceNotFoundError}, `MethodNotFoundError`, `SerializationError`
   */
  broadcast<R = unknown>(id: ServiceId, method: string, ...args: unknown[]): Result<R>[] {
    const service = this.#service(id);
    this.#assertMethod(service, method);
    assertSendable(service, method, args, 'broadcast');
    return service.pool.servers.map((server) => this.#callOn(service, server, method, args) as Result<R>);
  }

  /**
   * Hands argument lists out in server order: `argLists[i]` goes to server `i` (modulo
   * the number of servers, so more lists than servers queue up in turn).
   *
   * @returns one result per argument list, in order
   * @throws {@link ServiceNotFoundError}, `MethodNotFoundError`, `SerializationError`, TypeError for non-array lists
   */
  scatter<R = unknown>(id: ServiceId, method: string, argLists: ReadonlyArray<readonly unknown[]>): Result<R>[] {
    const service = this.#service(id);
    this.#assertMethod(service, method);
    if (!Array.isArray(argLists) || !argLists.every((args) => Array.isArray(args))) {
      throw new TypeError(`[hostgrid] scatter("${id}", "${method}", argLists) needs an array of argument arrays`);
    }
    argLists.forEach((args, i) => assertSendable(service, method, args, `scatter list ${i}`));
    const servers = [...service.pool.servers];
    if (servers.length === 0) throw new WorkerLostError({ service: id, message: `service "${id}" has no servers left` });
    return argLists.map((args, i) => this.#callOn(service, servers[i % servers.length]!, method, args) as Result<R>);
  }

  /** Waits for every result and returns the values in order (rejects with the first failure). */
  gather<T>(results: Iterable<Result<T> | PromiseLike<T>>): Promise<T[]> {
    return Promise.all(results);
  }

  /**
   * A snapshot of the service's servers: host, slot, busy, jobs done, mean call time; the
   * servers of a host being removed come last, `draining`, until its workers have stopped.
   */
  servers(id: ServiceId): ServerInfo[] {
    const { pool } = this.#service(id);
    return [...pool.servers, ...pool.retiring].map(serverInfo);
  }

  /**
   * The host's temp path: where its files are staged and its workers run.
   *
   * @throws {@link StagingError} for a host not in this grid, or after a `terminate` that removed the temp folders
   */
  tempPath(host: string): string {
    if (this.#staging === undefined) throw new StagingError({ host, message: `the temp paths of this grid were removed` });
    return this.#staging.tempPathOf(host);
  }

  /** The ids of the services published and not terminated. */
  services(): ServiceId[] {
    return [...this.#services.keys()];
  }

  /**
   * Without an id: stops the whole grid. Pending calls and waiters reject with
   * {@link HaltedError}, workers are asked to exit (and killed after `shutdownGraceMs`),
   * the transport is closed, and the temp folders the grid made are removed (unless
   * `{ cleanup: false }`). With an id: drops that service only. Idempotent: a second call
   * waits for the first, and removes the temp folders only when it asks for
   * `{ cleanup: true }` explicitly.
   *
   * @throws {@link StagingError} when a temp folder could not be removed (everything else was stopped)
   */
  async terminate(target?: ServiceId | TerminateOptions): Promise<void> {
    if (typeof target === 'string') return this.#terminateService(target);
    if (this.#terminated === undefined) {
      this.#terminated = this.#terminateAll(target?.cleanup !== false);
      return this.#terminated;
    }
    await this.#terminated;
    // Asked again, and explicitly for cleanup (a repeat without options, such as `await
    // using` after `terminate({ cleanup: false })`, keeps what the first call kept): the
    // transport is closed by now, which local hosts do not mind; a remote host's folder may
    // then stay, with an error saying so.
    if (target?.cleanup === true) await this.#cleanup();
  }

  /** Whether {@link Grid.terminate} was called for the whole grid. */
  isHalted(): boolean {
    return this.#terminated !== undefined;
  }

  /**
   * Turns debug messages (and, with `verbose`, per-call messages) on or off: as `debug`
   * events, or on stderr (see {@link GridOptions.debug}). A `logger`'s level is its own.
   */
  setDebug(debug: boolean, verbose = this.#logs.verbose): void {
    this.#logs.setDebug(debug, verbose);
  }

  /**
   * `await using grid = await Grid.start(…)` terminates the grid at scope end and removes
   * the temp folders it made, as a scope should take what it made with it. (Call
   * `terminate({ cleanup: false })` yourself to keep them.)
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  /**
   * @internal Kills every worker synchronously, and removes the temp folders the grid
   * made on this machine: the process is exiting, or dying of a signal, without having
   * terminated the grid.
   */
  killAll(): void {
    for (const link of this.#links) link.kill();
    this.#staging?.removeLocalSync();
  }

  /** How a worker is started on a slot (at start, by setLoader, on a restart). */
  #linkOptions(host: ResolvedHost, slot: number): LinkOptions {
    const staging = this.#staging!;
    return {
      transport: this.#transport,
      host,
      slot,
      workerEntry: staging.pathOn(host.name, this.#workerEntry),
      tempPath: staging.tempPathOf(host.name),
      heartbeat: this.#heartbeat,
      startTimeoutMs: this.#options.startTimeoutMs ?? 30_000,
      signal: this.#starting.signal,
      hooks: this.#hooks,
    };
  }

  readonly #hooks: LinkHooks = {
    output: (link, stream, line) => this.#onOutput(link, stream, line),
    lost: (link, error) => this.#onLost(link, error),
  };

  async #startWorkers(): Promise<void> {
    const slots = this.#hosts.flatMap((host) => Array.from({ length: host.slots }, (_, slot) => ({ host, slot })));
    // The first failure stops the other starts: the grid will not start anyway.
    const starting = new AbortController();
    const signal = AbortSignal.any([this.#starting.signal, starting.signal]);
    const outcomes = await Promise.allSettled(
      slots.map(({ host, slot }) =>
        WorkerLink.open({ ...this.#linkOptions(host, slot), signal }).catch((error: unknown) => {
          starting.abort(new HaltedError({ host: host.name, slot, message: `start abandoned: another worker failed to start` }));
          throw error;
        }),
      ),
    );
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') this.#links.push(outcome.value);
    const failures = outcomes
      .filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
      .sort((a, b) => Number((a.reason as Error)?.name === 'HaltedError') - Number((b.reason as Error)?.name === 'HaltedError'));
    if (failures.length > 0) {
      const first = failures[0]!.reason as Error;
      if (failures.length === 1) throw first;
      throw new HostgridError({ message: `${failures.length} of ${slots.length} workers failed to start; the first: ${first.message}`, cause: first });
    }
    this.#log(`started ${this.#links.length} workers on ${this.#hosts.length} hosts over ${this.#transport.name}`);
  }

  /** Runs `task` after every earlier membership change (publish, setLoader, addHost) has ended. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#membership.then(task);
    this.#membership = run.catch(() => undefined);
    return run;
  }

  /**
   * A server of the service, held. A server handed over while the grid or the service
   * was being terminated goes back at once (the caller would hold it for nobody), and
   * the caller gets the {@link HaltedError} it would have got a moment later.
   */
  #take(service: Service, options: AcquireOptions, what: string): Server | Promise<Server> {
    const taken = service.pool.acquire(options, what);
    if (!(taken instanceof Promise)) return taken;
    return taken.then((server) => {
      if (this.#terminated !== undefined || this.#services.get(service.id) !== service) {
        service.pool.release(server);
        const gone = this.#terminated !== undefined ? 'the grid' : `service "${service.id}"`;
        throw new HaltedError({ service: service.id, message: `${gone} was terminated while a server of "${service.id}" was being handed over` });
      }
      return server;
    });
  }

  #callOn(service: Service, server: Server, method: string, args: readonly unknown[]): Result<unknown> {
    let direct: Result<unknown> | undefined;
    let wrapper: Result<unknown> | undefined;
    const run = (held: Server): void => {
      let result: Result<unknown>;
      try {
        result = held.call(method, args);
      } finally {
        // Released now, the server goes back when this call has ended.
        service.pool.release(held);
      }
      if (wrapper === undefined) direct = result;
      else result.then((value) => wrapper![settle](true, value), (error: unknown) => wrapper![settle](false, error));
    };
    const fail = (error: Error): void => {
      if (wrapper === undefined) throw error;
      wrapper[settle](false, error);
    };
    service.pool.claim(server, run, fail);
    if (direct !== undefined) return direct;
    wrapper = new Result<unknown>({ service: service.id, method, host: server.link.host.name, slot: server.link.slot });
    wrapper[watch](this.#unobserved);
    return wrapper;
  }

  readonly #onStagingProgress = (event: StagingProgressEvent): void => {
    this.emit('staging-progress', event);
  };

  readonly #releaseHandle = (handle: ProxyHandle): void => {
    this.#handles.delete(handle);
    this.#services.get(handle.server.service)?.pool.release(handle.server);
  };

  readonly #observer: CallObserver = {
    callStarted: (server, method) => {
      if (this.#logs.calls) this.#log(`call ${server.service}.${method} on ${server.link.label}`, callEvent(server, method), 'trace');
      if (this.listenerCount('call-started') > 0) this.emit('call-started', callEvent(server, method));
    },
    callFinished: (server, method, elapsedMs) => {
      if (this.#logs.calls) this.#log(`done ${server.service}.${method} on ${server.link.label} in ${elapsedMs.toFixed(3)} ms`, { ...callEvent(server, method), elapsedMs }, 'trace');
      if (this.listenerCount('call-finished') > 0) this.emit('call-finished', callEvent(server, method), elapsedMs);
    },
    unobserved: (error, context) => this.#unobserved(error, context),
  };

  /** A failed call whose result nobody handled: an event, and a warning on the logger (with no logger and no listener, on stderr). */
  readonly #unobserved = (error: unknown, context: ErrorContext): void => {
    const listened = this.listenerCount('unobserved-failure') > 0;
    if (listened) this.emit('unobserved-failure', { ...context, error });
    this.#logs.unobserved(error, context, listened);
  };

  #onOutput(link: WorkerLink, stream: 'stdout' | 'stderr', line: string): void {
    if (this.#options.display === true) (stream === 'stdout' ? process.stdout : process.stderr).write(`[${link.label}] ${line}\n`);
    this.emit('output', { host: link.host.name, slot: link.slot, stream, line });
  }

  #onLost(link: WorkerLink, error: WorkerLostError): void {
    this.#log(`lost worker ${link.label}: ${error.message}`, { host: link.host.name, slot: link.slot, err: error }, 'warn');
    const at = this.#links.indexOf(link);
    if (at >= 0) this.#links.splice(at, 1);
    const restarting: Service[] = [];
    for (const service of this.#services.values()) {
      const server = service.pool.servers.find((candidate) => candidate.link === link) ?? service.pool.retiring.find((candidate) => candidate.link === link);
      if (server === undefined) continue;
      const info = serverInfo(server);
      // A server of a host being removed is lost for good: no restart, no slot given up.
      const kept = this.#terminated === undefined && !server.retiring;
      const replace = kept && this.#restarts.canRestart(service, link.label);
      if (replace) restarting.push(service);
      service.pool.remove(server, error, replace);
      this.emit('server-lost', info, error);
      if (!replace && kept) this.#restarts.spent(service, link.host, link.slot, error);
    }
    if (restarting.length > 0) this.#restarts.restart(link.host, link.slot, restarting);
  }

  async #terminateService(id: ServiceId): Promise<void> {
    if (this.#terminatedServices.has(id) && !this.#services.has(id)) return;
    const service = this.#service(id);
    const halted = (detail: { method?: string }): HaltedError =>
      new HaltedError({ service: id, ...detail, message: `service "${id}" was terminated` });
    // Waiters and queued broadcasts are rejected first, so that the servers the proxies
    // give back go to nobody.
    service.pool.halt(halted({}));
    for (const handle of [...this.#handles]) if (handle.server.service === id) handle.halt(halted({}));
    this.#services.delete(id);
    // Its restarts stop waiting for it; a restart left with no service is cancelled.
    this.#restarts.dropService(service);
    this.#terminatedServices.add(id);
    const links = [...new Set(service.pool.servers.map((server) => server.link))];
    for (const link of links) link.rejectPending((pending) => halted({ method: pending.method }), id);
    await Promise.allSettled(links.map((link) => link.destroy(id)));
    this.#log(`terminated service ${id}`, { service: id });
  }

  async #cleanup(): Promise<void> {
    const staging = this.#staging;
    this.#staging = undefined;
    await staging?.cleanup();
  }

  async #terminateAll(cleanup: boolean): Promise<void> {
    this.#unwatchHosts?.();
    this.#restarts.abortAll();
    this.#starting.abort(new HaltedError({ message: 'the grid was terminated while it was starting' }));
    const halted = new HaltedError({ message: 'the grid was terminated' });
    for (const service of this.#services.values()) service.pool.halt(halted);
    for (const handle of [...this.#handles]) handle.halt(halted);
    // A copy under way stops now, and is over before the temp paths go (else it makes them again).
    const staged = this.#staging?.halt(new HaltedError({ message: 'the grid was terminated while copying files' }));
    for (const link of this.#links) {
      link.rejectPending((pending) => new HaltedError({ service: pending.service, method: pending.method, message: `the grid was terminated while calling "${pending.service}.${pending.method}"` }));
    }
    await Promise.allSettled(this.#links.map((link) => link.close(this.#options.shutdownGraceMs ?? 2000)));
    // A host being added has workers of its own, in no pool yet; once they are gone, the
    // addHost (or publish, setLoader) under way ends, and tidies up what it made, before
    // the temp paths are removed and the transport closes under it.
    this.#joins.killJoining();
    await this.#membership;
    await staged;
    this.#services.clear();
    try {
      // Before the transport closes: removing a remote folder needs its connection.
      if (cleanup) await this.#cleanup();
    } finally {
      try {
        await this.#transport.close();
      } finally {
        this.#stopKillOnExit();
        this.#log('terminated');
      }
    }
  }

  #service(id: ServiceId): Service {
    if (this.#terminated !== undefined) throw new HaltedError({ service: id, message: `the grid was terminated; service "${id}" is gone` });
    const service = this.#services.get(id);
    if (service === undefined) {
      const known = [...this.#services.keys()];
      throw new ServiceNotFoundError({ service: id, message: `Service "${id}" not known${known.length === 0 ? '; nothing is published' : `; published: ${known.join(', ')}`}` });
    }
    return service;
  }

  #assertMethod(service: Service, method: string): void {
    if (!service.methods.has(method)) {
      throw new MethodNotFoundError({ service: service.id, method, message: `"${method}" is not a method of service "${service.id}"; its methods are: ${[...service.methods].join(', ') || '(none)'}` });
    }
  }

  #assertRunning(): void {
    if (this.#terminated !== undefined) throw new HaltedError({ message: 'the grid was terminated' });
  }

  /** Logs a message (see {@link GridOptions.logger}): grid-life ones at `debug`, unless said otherwise. */
  #log(message: string, fields?: LogFields, level: LogLevel = 'debug'): void {
    this.#logs.log(level, message, fields);
  }
}

/**
 * Checks heartbeat timing. A worker pings at most two intervals after its last frame, so
 * fewer than 3 misses would declare healthy workers lost.
 *
 * @throws TypeError naming the field
 */
function checkHeartbeat(heartbeat: HeartbeatOptions | undefined): void {
  if (heartbeat === undefined) return;
  const { intervalMs, misses, watchdogMs } = heartbeat;
  if (intervalMs !== undefined && !(Number.isInteger(intervalMs) && intervalMs >= 1)) throw new TypeError(`[hostgrid] "heartbeat.intervalMs" must be an integer >= 1, got ${String(intervalMs)}`);
  if (misses !== undefined && !(Number.isInteger(misses) && misses >= 3)) {
    throw new TypeError(`[hostgrid] "heartbeat.misses" must be an integer >= 3 (a worker may ping up to two intervals after its last frame), got ${String(misses)}`);
  }
  if (watchdogMs !== undefined && !(Number.isInteger(watchdogMs) && watchdogMs >= 0)) throw new TypeError(`[hostgrid] "heartbeat.watchdogMs" must be an integer >= 0, got ${String(watchdogMs)}`);
}

/**
 * Checks arguments before any of them is sent, so that a bad one sends nothing: they must
 * encode, and the call must fit every server's frame limit (measured with the largest id,
 * so that the real call is no larger).
 */
function assertSendable(service: Service, method: string, args: readonly unknown[], what: string): void {
  let bytes: number;
  try {
    bytes = encode({ type: 'call', id: Number.MAX_SAFE_INTEGER, service: service.id, method, args }).byteLength;
  } catch (error) {
    throw new SerializationError({ service: service.id, method, message: `${what}: arguments of "${service.id}.${method}" cannot be sent: ${(error as Error).message}; nothing was sent`, cause: error });
  }
  const tightest = service.pool.servers.reduce<Server | undefined>((least, server) => (least === undefined || server.link.maxFrameBytes < least.link.maxFrameBytes ? server : least), undefined);
  if (tightest === undefined || bytes <= tightest.link.maxFrameBytes) return;
  const { host, slot } = tightest.link;
  throw new SerializationError({
    service: service.id,
    method,
    host: host.name,
    slot,
    message: `${what}: arguments of "${service.id}.${method}" cannot be sent: the call encodes to ${bytes} bytes, over the frame limit of ${tightest.link.maxFrameBytes} bytes of host "${host.name}" slot ${slot}; nothing was sent`,
  });
}

function callEvent(server: Server, method: string): { service: string; host: string; slot: number; method: string } {
  return { service: server.service, host: server.link.host.name, slot: server.link.slot, method };
}

function nestedGrid(): NestedGridError {
  return new NestedGridError({
    message:
      'Grid.start was called inside a Hostgrid worker, most likely by the module of a published class: ' +
      'every worker imports that module, so each would start a grid (and workers) of its own. ' +
      'Put the class in a module of its own (service.ts: the class and registerClass) and start the grid from another ' +
      '(main.ts: imports the class, calls Grid.start and publish). To start a grid from a worker on purpose, pass allowInWorker: true.',
  });
}
