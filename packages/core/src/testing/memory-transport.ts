import { DEFAULT_MAX_FRAME_BYTES } from '@hostgrid/protocol';
import { ProtocolError } from '../errors.js';
import { localHostFiles } from '../local-files.js';
import type { HostSpec } from '../host-spec.js';
import type { Channel, ChannelHandlers, SpawnRequest, Transport } from '../transport.js';

/** The worker side of an in-memory channel, as the worker runtime's session sees it. */
export interface MemoryWorkerPort {
  /** Sends one frame to the controller. */
  send(frame: Uint8Array): void;
  /** Ends the channel from the worker side. */
  close(): void;
}

/** A worker session driven by the in-memory transport (`createWorkerSession` of `@hostgrid/worker`). */
export interface MemoryWorkerSession {
  /** One frame from the controller. */
  receive(frame: Uint8Array): void;
  /** The controller side ended. */
  disconnected(): void;
}

/** Options of {@link memoryTransport}. */
export interface MemoryTransportOptions {
  /**
   * Starts a worker session on a port: pass `createWorkerSession` from `@hostgrid/worker`.
   * (Core never imports the worker runtime itself; the caller hands it in.)
   */
  readonly serve: (port: MemoryWorkerPort) => MemoryWorkerSession;
  /**
   * The largest frame body on a channel, both ways; a larger one ends the channel with a
   * `ProtocolError`, as a real transport's reader would. @defaultValue `DEFAULT_MAX_FRAME_BYTES` (256 MiB)
   */
  readonly maxFrameBytes?: number;
}

/** The in-memory transport, plus a way to simulate a crash. */
export interface MemoryTransport extends Transport {
  /** Ends one worker's channel abruptly, as if its process had died. */
  crash(host: string, slot: number): void;
  /** Whether a worker's channel is still open. */
  isOpen(host: string, slot: number): boolean;
  /** Announces a host that joins by itself, as a transport with dialing-in workers would (`watchHosts`). */
  join(host: HostSpec): void;
}

/**
 * A transport whose workers run inside this process: every frame still goes through the
 * codec, a turn of the event loop apart, but nothing crosses a process boundary. For
 * testing the grid's own logic and measuring its overhead without I/O.
 *
 * Its workers share this process's working directory and module resolution, so files
 * are staged (through `node:fs`) but a worker does not run inside its temp path: it runs
 * the transport conformance suite, not the staging one.
 *
 * Failure semantics: a worker ends only when the controller closes its channel, when
 * {@link MemoryTransport.crash} is called, or when its session ends by itself (watchdog,
 * shutdown); `closed` is then called once.
 */
export function memoryTransport(options: MemoryTransportOptions): MemoryTransport {
  const channels = new Map<string, MemoryChannel>();
  const watchers = new Set<(host: HostSpec) => void>();
  let closed = false;
  return {
    name: 'memory',
    async spawn(request: SpawnRequest, handlers: ChannelHandlers): Promise<Channel> {
      request.signal.throwIfAborted();
      if (closed) throw new Error(`[hostgrid] in-memory worker for host "${request.host.name}" slot ${request.slot} could not start: the transport is closed`);
      const key = `${request.host.name}/${request.slot}`;
      const channel = new MemoryChannel(handlers, options.serve, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, () => channels.delete(key));
      channels.set(key, channel);
      return channel;
    },
    files(host) {
      return localHostFiles(host.name);
    },
    crash(host: string, slot: number): void {
      const channel = channels.get(`${host}/${slot}`);
      if (channel === undefined) throw new Error(`[hostgrid] no in-memory worker for host "${host}" slot ${slot}`);
      channel.end('crashed');
    },
    isOpen(host: string, slot: number): boolean {
      return channels.has(`${host}/${slot}`);
    },
    watchHosts(joined: (host: HostSpec) => void): () => void {
      watchers.add(joined);
      return () => watchers.delete(joined);
    },
    join(host: HostSpec): void {
      for (const joined of watchers) joined(host);
    },
    async close(): Promise<void> {
      closed = true;
      for (const channel of [...channels.values()]) channel.end('transport closed');
    },
  };
}

class MemoryChannel implements Channel {
  readonly maxFrameBytes: number;
  readonly #handlers: ChannelHandlers;
  readonly #session: MemoryWorkerSession;
  readonly #forget: () => void;
  #open = true;
  #closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(handlers: ChannelHandlers, serve: MemoryTransportOptions['serve'], maxFrameBytes: number, forget: () => void) {
    this.maxFrameBytes = maxFrameBytes;
    this.#handlers = handlers;
    this.#forget = forget;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#session = serve({
      send: (frame) => {
        if (this.#open && this.#fits(frame, 'the worker')) queueMicrotask(() => this.#open && this.#handlers.frame(frame));
      },
      close: () => queueMicrotask(() => this.end('worker ended its session')),
    });
  }

  send(frame: Uint8Array): void {
    if (this.#open && this.#fits(frame, 'the controller')) queueMicrotask(() => this.#open && this.#session.receive(frame));
  }

  /** A frame over the limit breaks the channel, as it would a byte stream's reader. */
  #fits(frame: Uint8Array, sender: string): boolean {
    if (frame.byteLength <= this.maxFrameBytes) return true;
    const error = new ProtocolError({ message: `${sender} sent a frame of ${frame.byteLength} bytes, over the limit of ${this.maxFrameBytes}` });
    queueMicrotask(() => this.end(error.message, error));
    return false;
  }

  async close(): Promise<void> {
    this.end('closed by the controller');
    await this.#closed;
  }

  kill(): void {
    this.end('killed');
  }

  /** Ends the channel once: the session hears of it, and `closed` is reported. */
  end(reason: string, error?: Error): void {
    if (!this.#open) return;
    this.#open = false;
    this.#forget();
    this.#session.disconnected();
    this.#handlers.closed({ reason, ...(error === undefined ? {} : { error }) });
    this.#resolveClosed();
  }
}
