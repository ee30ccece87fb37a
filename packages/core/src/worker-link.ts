import {
  PROTOCOL_VERSION,
  decode,
  encode,
  parseWorkerMessage,
  type ControllerMessage,
  type FailureMessage,
  type WorkerMessage,
} from '@hostgrid/protocol';
import {
  HaltedError,
  HostgridError,
  LoadError,
  MethodNotFoundError,
  ProtocolError,
  RemoteError,
  SerializationError,
  ServiceNotFoundError,
  TimeoutError,
  WorkerLostError,
  describeWhere,
} from './errors.js';
import type { ResolvedHost } from './host-spec.js';
import { LineSplitter } from './output-lines.js';
import { Result, onSettled, settle } from './result.js';
import type { Channel, ChannelClosedInfo, Transport } from './transport.js';

/** Told when a call on a link ends, so the pool can count and free its server. */
export interface CallOwner {
  callEnded(elapsedMs: number, method: string): void;
}

interface Pending {
  readonly result: Result<unknown>;
  readonly owner: CallOwner | undefined;
  readonly service: string;
  readonly method: string;
  readonly startedAt: number;
}

/** Timing of heartbeats between the controller and its workers. */
export interface HeartbeatOptions {
  /** Each side sends a ping when it has sent nothing else for this long, in ms. @defaultValue 1000 */
  readonly intervalMs?: number;
  /**
   * An idle worker is declared lost after this many intervals without a word from it (at
   * least 3: a worker pings up to two intervals after its last frame).
   * A worker with calls in flight may be busy in a long synchronous computation, so for
   * it the grid relies on the transport noticing a dead channel instead. @defaultValue 10
   */
  readonly misses?: number;
  /** A worker exits by itself when it has not heard from the controller for this long, in ms; 0 never. @defaultValue 60000 */
  readonly watchdogMs?: number;
}

/** What a link reports to its grid. */
export interface LinkHooks {
  /** The worker wrote text (already split into lines, without line ends; a line over `MAX_OUTPUT_LINE_LENGTH` cut and marked). */
  output(link: WorkerLink, stream: 'stdout' | 'stderr', line: string): void;
  /** The worker was lost; every pending call has been rejected. */
  lost(link: WorkerLink, error: WorkerLostError): void;
}

/** What {@link WorkerLink.create} sends: a `create` message without its id. */
export type CreateRequest = Omit<Extract<ControllerMessage, { type: 'create' }>, 'id' | 'type'>;

/** Options of {@link WorkerLink.open}. */
export interface LinkOptions {
  readonly transport: Transport;
  readonly host: ResolvedHost;
  readonly slot: number;
  readonly workerEntry: string;
  readonly tempPath: string;
  readonly heartbeat: Required<HeartbeatOptions>;
  readonly startTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly hooks: LinkHooks;
}

const STDERR_TAIL_LINES = 20;
const PING = encode({ type: 'ping' });

/**
 * The controller's end of one worker: the handshake, the table of pending requests,
 * heartbeats, and the one place where a lost worker's calls are rejected.
 */
export class WorkerLink {
  readonly host: ResolvedHost;
  readonly slot: number;
  /** `host/slot`, as output prefixes and messages show it. */
  readonly label: string;
  /** The worker's process id, from its `ready`. */
  pid = 0;
  #channel: Channel | undefined;
  /** starting → ready → closing (shut down by the grid) → closed; or → lost (died, at any point). */
  #state: 'starting' | 'ready' | 'closing' | 'lost' | 'closed' = 'starting';
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  /** Told when no request is pending any more (see {@link WorkerLink.whenIdle}). */
  readonly #idleWaiters: Array<() => void> = [];
  readonly #hooks: LinkHooks;
  readonly #heartbeat: Required<HeartbeatOptions>;
  readonly #stderrTail: string[] = [];
  readonly #lines = {
    stdout: new LineSplitter((line) => this.#hooks.output(this, 'stdout', line)),
    stderr: new LineSplitter((line) => {
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
      this.#hooks.output(this, 'stderr', line);
    }),
  };
  /** The largest frame body this link sends: agreed in the handshake (`hello` offers the channel's, `ready` answers). */
  #maxFrameBytes = 0;
  // Frames only set flags (no clock read on the call path); the heartbeat timer, which
  // wakes twice per interval, turns them into times.
  #lastHeard = performance.now();
  #lastSent = performance.now();
  #lastTick = performance.now();
  #heard = false;
  #sent = false;
  #timer: NodeJS.Timeout | undefined;
  #ready: { resolve: () => void; reject: (error: Error) => void } | undefined;
  #closed: { promise: Promise<void>; resolve: () => void };

  private constructor(options: LinkOptions) {
    this.host = options.host;
    this.slot = options.slot;
    this.label = `${options.host.name}/${options.slot}`;
    this.#hooks = options.hooks;
    this.#heartbeat = options.heartbeat;
    let resolveClosed!: () => void;
    this.#closed = { promise: new Promise((resolve) => (resolveClosed = resolve)), resolve: resolveClosed };
  }

  /**
   * Starts the worker through the transport and completes the handshake.
   *
   * @throws {@link HostgridError} naming the host and slot when the worker cannot start,
   *   dies before it is ready, speaks another protocol version ({@link ProtocolError}) or is
   *   not ready within `startTimeoutMs` ({@link TimeoutError})
   */
  static async open(options: LinkOptions): Promise<WorkerLink> {
    const link = new WorkerLink(options);
    const what = `worker for host "${link.host.name}" slot ${link.slot}`;
    // One deadline for the whole start, spawn included: a host that never answers must
    // not hang Grid.start.
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(new TimeoutError({ host: link.host.name, slot: link.slot, timeoutMs: options.startTimeoutMs, message: `${what} was not ready after ${options.startTimeoutMs} ms` }));
    }, options.startTimeoutMs);
    const signal = AbortSignal.any([options.signal, deadline.signal]);
    const aborted = new Promise<never>((_resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    const ready = new Promise<void>((resolve, reject) => (link.#ready = { resolve, reject }));
    ready.catch(() => undefined);
    try {
      const spawning = options.transport.spawn(
        {
          host: options.host,
          slot: options.slot,
          workerEntry: options.workerEntry,
          tempPath: options.tempPath,
          signal,
          heartbeat: { intervalMs: options.heartbeat.intervalMs, misses: options.heartbeat.misses },
        },
        {
          frame: (frame) => link.#onFrame(frame),
          output: (stream, text) => link.#onOutput(stream, text),
          closed: (info) => link.#onClosed(info),
        },
      );
      try {
        link.#channel = await Promise.race([spawning, aborted]);
      } catch (error) {
        // A transport that starts the worker after all must not leave it running.
        void spawning.then((channel) => channel.kill(), () => undefined);
        throw error instanceof HostgridError
          ? error
          : new HostgridError({ host: link.host.name, slot: link.slot, message: `${what} could not start: ${error instanceof Error ? error.message : String(error)}`, cause: error });
      }
      link.#send({
        type: 'hello',
        version: PROTOCOL_VERSION,
        host: link.host.name,
        slot: link.slot,
        heartbeatMs: link.#heartbeat.intervalMs,
        watchdogMs: link.#heartbeat.watchdogMs,
        maxFrameBytes: link.#channel.maxFrameBytes,
      });
      await Promise.race([ready, aborted]);
      // `ready` and the channel's end can come in one turn: then the link is already lost.
      if (link.#state !== 'ready') throw link.#lostError({ host: link.host.name, slot: link.slot }, 'was lost as it became ready');
    } catch (error) {
      link.#ready = undefined;
      link.#state = link.#state === 'starting' ? 'closing' : link.#state;
      link.#channel?.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    link.#timer = setInterval(() => link.#tick(), Math.max(10, Math.floor(link.#heartbeat.intervalMs / 2)));
    link.#timer.unref();
    return link;
  }

  /** Whether the link can still carry calls. */
  get alive(): boolean {
    return this.#state === 'ready';
  }

  /** The largest frame body sent on this link, in bytes, as agreed with the worker (0 before it is ready). */
  get maxFrameBytes(): number {
    return this.#maxFrameBytes;
  }

  /** The last lines the worker wrote to stderr. */
  get stderrTail(): string {
    return this.#stderrTail.join('\n');
  }

  /**
   * Sends one call and returns its result. Encoding happens here, before anything is sent.
   *
   * @throws {@link SerializationError} when an argument cannot be sent, or the call encodes
   *   to more than the link's {@link WorkerLink.maxFrameBytes} (nothing is sent; the link stays up)
   */
  call(service: string, method: string, args: readonly unknown[], owner: CallOwner | undefined, signal?: AbortSignal): Result<unknown> {
    const context = { host: this.host.name, slot: this.slot, service, method };
    const result = new Result<unknown>(context);
    if (this.#state !== 'ready') {
      result[settle](false, this.#unavailableError(context));
      return result;
    }
    if (signal?.aborted === true) {
      result[settle](false, signal.reason);
      return result;
    }
    const id = this.#nextId++;
    let frame: Uint8Array;
    try {
      frame = encode({ type: 'call', id, service, method, args });
    } catch (error) {
      throw new SerializationError({ ...context, message: `arguments of "${service}.${method}" cannot be sent to host "${this.host.name}": ${(error as Error).message}`, cause: error });
    }
    this.#assertFits(frame, () => `arguments of "${service}.${method}"`, context);
    this.#pending.set(id, { result, owner, service, method, startedAt: performance.now() });
    this.#sendFrame(frame);
    if (signal !== undefined) this.#cancelOnAbort(id, service, result, signal);
    return result;
  }

  /**
   * On abort: the result rejects at once, and the worker is asked to drop the call if it
   * has not started. The pending entry stays until the worker answers, so that the
   * server is counted busy until its call has really ended.
   */
  #cancelOnAbort(id: number, service: string, result: Result<unknown>, signal: AbortSignal): void {
    const onAbort = (): void => {
      if (!this.#pending.has(id)) return;
      result[settle](false, signal.reason);
      if (this.#state === 'ready') this.#send({ type: 'cancel', id, service });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // Not `then`: that would count as handling the result, and hide its failure from the unobserved-failure report.
    result[onSettled](() => signal.removeEventListener('abort', onAbort));
  }

  /**
   * Resolves once no call or request is pending on the link: at once when none is, else
   * when the last one ends (either way), or when the link ends. Never rejects.
   */
  whenIdle(): Promise<void> {
    if (this.#pending.size === 0 || this.#state === 'lost' || this.#state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #wakeIdle(): void {
    if (this.#pending.size === 0 || this.#state === 'lost' || this.#state === 'closed') for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  /** Makes a service's instance on the worker; resolves with its callable method names. */
  create(message: CreateRequest): Promise<readonly string[]> {
    try {
      return this.prepareCreate(message)();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Encodes a `create` now and returns what sends it, so that a publish can check every
   * host's message before it sends any.
   *
   * @throws {@link SerializationError} when the state or arguments cannot be sent, or the
   *   message encodes to more than the link's {@link WorkerLink.maxFrameBytes}
   */
  prepareCreate(message: CreateRequest): () => Promise<readonly string[]> {
    const context = { host: this.host.name, slot: this.slot, service: message.service };
    if (this.#state !== 'ready') {
      const error = this.#unavailableError(context);
      return () => Promise.reject(error);
    }
    const what = (): string => (message.construction.kind === 'revive' ? `the published state of "${message.service}"` : `the constructor arguments of "${message.service}"`);
    const id = this.#nextId++;
    let frame: Uint8Array;
    try {
      frame = encode({ type: 'create', id, ...message });
    } catch (error) {
      throw new SerializationError({ ...context, message: `${what()} cannot be sent to host "${this.host.name}": ${(error as Error).message}`, cause: error });
    }
    this.#assertFits(frame, what, context);
    return () => this.#request(message.service, '<create>', () => frame, id) as Promise<readonly string[]>;
  }

  /** Drops a service's instance on the worker. */
  async destroy(service: string): Promise<void> {
    await this.#request(service, '<destroy>', (id) => encode({ type: 'destroy', id, service }));
  }

  /**
   * Rejects every pending request with `error` (used when the grid or a service halts).
   * Requests of other services are untouched when `service` is given.
   */
  rejectPending(error: (pending: { service: string; method: string }) => Error, service?: string): void {
    for (const [id, pending] of this.#pending) {
      if (service !== undefined && pending.service !== service) continue;
      this.#pending.delete(id);
      pending.result[settle](false, error(pending));
    }
    this.#wakeIdle();
  }

  /** Asks the worker to exit, and waits up to `graceMs` before the transport kills it. */
  async close(graceMs: number): Promise<void> {
    if (this.#state === 'closed' || (this.#state === 'lost' && this.#channel === undefined)) return;
    if (this.#state === 'ready') {
      this.#state = 'closing';
      this.#send({ type: 'shutdown' });
    }
    this.#stopTimer();
    await this.#channel?.close(graceMs);
    await this.#closed.promise;
  }

  /** Kills the worker at once (process exit, failed start, broken protocol). */
  kill(): void {
    if (this.#state === 'starting' || this.#state === 'ready') this.#state = 'closing';
    this.#stopTimer();
    this.#channel?.kill();
  }

  /**
   * Refuses a frame the worker's end would have to close the channel for.
   *
   * @throws {@link SerializationError} naming what was to be sent, its size and the limit
   */
  #assertFits(frame: Uint8Array, what: () => string, context: { host: string; slot: number; service: string; method?: string }): void {
    if (frame.byteLength <= this.#maxFrameBytes) return;
    throw new SerializationError({
      ...context,
      message: `${what()} cannot be sent to host "${this.host.name}" slot ${this.slot}: ${frame.byteLength} bytes encoded, over the channel's frame limit of ${this.#maxFrameBytes} bytes; nothing was sent`,
    });
  }

  #request(service: string, method: string, makeFrame: (id: number) => Uint8Array, reservedId?: number): Promise<unknown> {
    const context = { host: this.host.name, slot: this.slot, service };
    if (this.#state !== 'ready') return Promise.reject(this.#unavailableError(context));
    const id = reservedId ?? this.#nextId++;
    const frame = makeFrame(id);
    const result = new Result<unknown>(context);
    this.#pending.set(id, { result, owner: undefined, service, method, startedAt: performance.now() });
    this.#sendFrame(frame);
    return result.get();
  }

  #send(message: ControllerMessage): void {
    this.#sendFrame(encode(message));
  }

  #sendFrame(frame: Uint8Array): void {
    this.#sent = true;
    this.#channel?.send(frame);
  }

  #onFrame(frame: Uint8Array): void {
    this.#heard = true;
    let message: WorkerMessage;
    try {
      message = parseWorkerMessage(decode(frame));
    } catch (error) {
      this.#fail(new ProtocolError({ host: this.host.name, slot: this.slot, message: `worker on host "${this.host.name}" slot ${this.slot} sent a bad frame: ${(error as Error).message}`, cause: error }));
      return;
    }
    switch (message.type) {
      case 'result':
        this.#settle(message.id, true, message.value);
        break;
      case 'created':
        this.#settle(message.id, true, message.methods);
        break;
      case 'done':
        this.#settle(message.id, true, undefined);
        break;
      case 'failure': {
        const pending = this.#pending.get(message.id);
        if (pending !== undefined) this.#settle(message.id, false, this.#failureError(message, pending));
        break;
      }
      case 'ping':
        break;
      case 'ready':
        if (this.#ready === undefined) break;
        if (message.version !== PROTOCOL_VERSION) {
          this.#ready.reject(
            new ProtocolError({ host: this.host.name, slot: this.slot, message: `worker on host "${this.host.name}" speaks protocol version ${message.version}, this controller ${PROTOCOL_VERSION}: install the same Hostgrid version on both` }),
          );
        } else if (message.maxFrameBytes > (this.#channel?.maxFrameBytes ?? 0)) {
          this.#ready.reject(
            new ProtocolError({ host: this.host.name, slot: this.slot, message: `worker on host "${this.host.name}" slot ${this.slot} answered a frame limit of ${message.maxFrameBytes} bytes, over the ${this.#channel?.maxFrameBytes ?? 0} its channel offered` }),
          );
        } else {
          this.pid = message.pid;
          this.#maxFrameBytes = message.maxFrameBytes;
          this.#state = 'ready';
          const ready = this.#ready;
          this.#ready = undefined;
          ready.resolve();
        }
        break;
      default:
        message satisfies never;
    }
  }

  #settle(id: number, ok: boolean, value: unknown): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    pending.result[settle](ok, value);
    pending.owner?.callEnded(performance.now() - pending.startedAt, pending.method);
    if (this.#idleWaiters.length > 0) this.#wakeIdle();
  }

  #failureError(message: FailureMessage, pending: Pending): Error {
    const context = { host: this.host.name, slot: this.slot, service: pending.service, ...(pending.method.startsWith('<') ? {} : { method: pending.method }) };
    const { error } = message;
    switch (message.kind) {
      case 'call':
        return new RemoteError({ ...context, remote: error });
      case 'load':
        return new LoadError({ ...context, remote: error, message: `host "${this.host.name}" could not load the class of "${pending.service}": ${error.message}` });
      case 'method':
        return new MethodNotFoundError({ ...context, message: error.message });
      case 'service':
        return new ServiceNotFoundError({ ...context, message: `${error.message} (host "${this.host.name}" slot ${this.slot})` });
      case 'encode':
        return new SerializationError({ ...context, message: error.message });
      case 'protocol':
        return new ProtocolError({ ...context, message: error.message });
      case 'cancelled':
        // Only a cancel sent on abort gets this answer, and the abort already rejected the result.
        return new HostgridError({ ...context, message: error.message });
      default:
        return message.kind satisfies never;
    }
  }

  #onOutput(stream: 'stdout' | 'stderr', text: string): void {
    this.#lines[stream].push(text);
  }

  #onClosed(info: ChannelClosedInfo): void {
    this.#lines.stdout.flush();
    this.#lines.stderr.flush();
    // An end the grid asked for is quiet; any other end is a loss.
    if (this.#state === 'starting' || this.#state === 'ready') this.#fail(info.error ?? info.reason);
    else if (this.#pending.size > 0) this.#fail(info.error ?? info.reason, true);
    // A lost link stays lost, so that later calls say so; a closed one was shut down.
    if (this.#state !== 'lost') this.#state = 'closed';
    this.#stopTimer();
    this.#wakeIdle();
    this.#closed.resolve();
  }

  /** Fails the link: every pending call rejects with WorkerLostError, and the grid is told. */
  #fail(cause: Error | string, quiet = false): void {
    const reason = typeof cause === 'string' ? cause : cause.message;
    const starting = this.#ready !== undefined;
    const error = this.#lostError({ host: this.host.name, slot: this.slot }, `${starting ? 'ended before it was ready' : 'was lost'} (${reason})`, typeof cause === 'string' ? undefined : cause);
    this.#state = 'lost';
    this.#stopTimer();
    this.#channel?.kill();
    if (this.#ready !== undefined) {
      const ready = this.#ready;
      this.#ready = undefined;
      // A protocol error says more than "it died"; a plain end says how it ended.
      ready.reject(cause instanceof ProtocolError ? cause : error);
    }
    this.rejectPending((pending) =>
      pending.method.startsWith('<') ? error : this.#lostError({ host: this.host.name, slot: this.slot, service: pending.service, method: pending.method }, `was lost (${reason})`, error),
    );
    if (!quiet && !starting) this.#hooks.lost(this, error);
  }

  #unavailableError(context: { host: string; slot: number; service?: string; method?: string }): Error {
    if (this.#state === 'closing' || this.#state === 'closed') {
      return new HaltedError({ ...context, message: `worker for host "${this.host.name}" slot ${this.slot} was shut down` });
    }
    return this.#lostError(context, 'is no longer available');
  }

  #lostError(context: { host: string; slot: number; service?: string; method?: string }, what: string, cause?: unknown): WorkerLostError {
    const tail = this.stderrTail;
    const during = context.method === undefined ? '' : ` while ${describeWhere({ service: context.service ?? '?', method: context.method })}`;
    return new WorkerLostError({
      ...context,
      message: `worker for host "${this.host.name}" slot ${this.slot} ${what}${during}${tail === '' ? '' : `; its stderr ends:\n${tail}`}`,
      stderr: tail,
      cause,
    });
  }

  #tick(): void {
    const now = performance.now();
    if (this.#heard) this.#lastHeard = now;
    if (this.#sent) this.#lastSent = now;
    this.#heard = this.#sent = false;
    const interval = this.#heartbeat.intervalMs;
    // A tick that comes late means this process's own event loop was blocked; the
    // worker's frames may be waiting unread, so judge its silence on a later tick.
    const late = now - this.#lastTick > interval * 2;
    this.#lastTick = now;
    if (now - this.#lastSent >= interval) this.#sendFrame(PING);
    if (late || this.#pending.size > 0) return;
    const silentFor = now - this.#lastHeard;
    if (silentFor > interval * this.#heartbeat.misses) {
      this.#fail(`no heartbeat for ${Math.round(silentFor)} ms`);
    }
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
