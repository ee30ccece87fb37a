import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { getPriority, setPriority } from 'node:os';
import { LiveWorkers, localHostFiles, type Channel, type ChannelHandlers, type HostFiles, type ResolvedHost, type SpawnRequest, type Transport } from '@hostgrid/core';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameWriter } from '@hostgrid/protocol';

/** Options of {@link localTransport}. */
export interface LocalTransportOptions {
  /** Arguments given to `node` before the worker entry, e.g. `['--enable-source-maps']`. @defaultValue `[]` */
  readonly nodeArgs?: readonly string[];
  /**
   * The largest frame body on a worker's channel, both ways: the grid refuses to send a
   * larger call or state, a worker a larger result (each with a `SerializationError`); a
   * larger frame received anyway kills the worker. @defaultValue `DEFAULT_MAX_FRAME_BYTES` (256 MiB)
   */
  readonly maxFrameBytes?: number;
}

/**
 * How long the streams of an exited worker may stay open before they are destroyed. They
 * normally close at once; only a process that inherited them (started in the background
 * by `initCmd`, say) keeps them open, and it must not delay `closed` for ever.
 */
const STREAM_DRAIN_MS = 1000;

/**
 * A transport whose hosts are all this machine: each slot is a child process running
 * the worker runtime, with its frames on fd 3.
 *
 * Failure semantics: `spawn` rejects, naming the host, slot and executable, when the
 * process cannot start, leaving nothing
 * running. Once started, `closed` is called exactly once, after the process exited and
 * its streams closed, so no frame arrives after it. A worker that sends a frame over
 * `maxFrameBytes` (which a worker of this version never does) is killed and reported with that error.
 */
export function localTransport(options: LocalTransportOptions = {}): Transport {
  return new LocalTransport(options);
}

/** The {@link Transport} behind {@link localTransport}; it tracks its workers so that `close` can end them. */
class LocalTransport implements Transport {
  readonly name = 'local';
  readonly #nodeArgs: readonly string[];
  readonly #maxFrameBytes: number;
  readonly #live = new LiveWorkers<LocalChannel>();
  #closed = false;

  constructor(options: LocalTransportOptions) {
    this.#nodeArgs = options.nodeArgs ?? [];
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  async spawn(request: SpawnRequest, handlers: ChannelHandlers): Promise<Channel> {
    const { host, slot, signal } = request;
    const what = `local worker for host "${host.name}" slot ${slot}`;
    const refuse = (): void => {
      signal.throwIfAborted();
      if (this.#closed) throw new Error(`[hostgrid] ${what} could not start: the local transport is closed`);
    };
    refuse();
    // The grid made the temp path before any worker starts (it stages the worker there).
    const cwd = request.tempPath;
    const node = host.node ?? process.execPath;
    const args = [...this.#nodeArgs, request.workerEntry, '--fd', '3'];
    // The shell runs initCmd, then `exec` replaces it with node in the same process, so the
    // pid, the process group and fd 3 (inherited without close-on-exec) all carry over.
    const [file, argv] = host.initCmd === undefined ? [node, args] : ['/bin/sh', ['-c', `${host.initCmd} && exec "$0" "$@"`, node, ...args]];
    let child: ChildProcess;
    try {
      child = spawnProcess(file, argv, {
        cwd,
        env: { ...process.env, ...host.env },
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        // Its own process group: kill() takes initCmd's leftovers with it, and a Ctrl-C in the
        // controller's terminal reaches only the controller, which then shuts the grid down in order.
        detached: true,
      });
    } catch (err) {
      throw new Error(`[hostgrid] ${what} could not start: ${(err as Error).message}`, { cause: err });
    }
    const channel = new LocalChannel(child, handlers, what, this.#maxFrameBytes);
    this.#live.add(channel);
    await channel.start(file, host.niceness, signal);
    return channel;
  }

  files(host: ResolvedHost): HostFiles {
    return localHostFiles(host.name);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#live.killAll();
  }
}

/** One worker process and the frame channel on its fd 3. */
class LocalChannel implements Channel {
  readonly pid: number;
  readonly maxFrameBytes: number;
  /** Settles once the process is gone and `closed` was called (or muted, for a failed start). */
  readonly gone: Promise<void>;
  readonly #child: ChildProcess;
  readonly #socket: Socket;
  readonly #handlers: ChannelHandlers;
  readonly #what: string;
  readonly #decoder: FrameDecoder;
  readonly #writer = new FrameWriter((chunks) => this.#write(chunks));
  #markGone!: () => void;
  #exited = false;
  #ended = false;
  /** A failed or aborted start calls no handler. */
  #muted = false;
  #error: Error | undefined;
  #closing: Promise<void> | undefined;

  constructor(child: ChildProcess, handlers: ChannelHandlers, what: string, maxFrameBytes: number) {
    this.#child = child;
    this.#handlers = handlers;
    this.#what = what;
    this.#decoder = new FrameDecoder(maxFrameBytes);
    this.maxFrameBytes = maxFrameBytes;
    this.pid = child.pid ?? 0;
    this.gone = new Promise((resolve) => (this.#markGone = resolve));
    this.#socket = child.stdio[3] as Socket;
    this.#socket.on('data', (chunk: Buffer) => this.#read(chunk));
    this.#socket.on('error', (err: NodeJS.ErrnoException) => {
      // EPIPE and ECONNRESET only echo the worker's death, which its exit reports better.
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') this.#error ??= err;
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.setEncoding('utf8').on('data', (text: string) => {
        if (!this.#muted) handlers.output(stream, text);
      });
    }
    let drain: NodeJS.Timeout | undefined;
    child.on('exit', () => {
      this.#exited = true;
      drain = setTimeout(() => {
        for (const stream of child.stdio) (stream as Socket | null)?.destroy();
      }, STREAM_DRAIN_MS).unref();
    });
    // 'close' comes after 'exit' and after fd 3, stdout and stderr all closed.
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(drain);
      this.#report(code, signal);
    });
  }

  /** Settles once the process has started; on failure kills it, waits until it is gone and rejects. */
  start(file: string, niceness: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (reason: unknown): void => {
        signal.removeEventListener('abort', onAbort);
        this.#muted = true;
        this.kill();
        void this.gone.then(() => reject(reason));
      };
      const onAbort = (): void => fail(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#child.on('error', (err) => {
        if (!this.#muted && this.pid === 0) {
          this.#markGone();
          fail(new Error(`[hostgrid] ${this.#what} could not start: ${err.message}`, { cause: err }));
        } else this.#error ??= err;
      });
      this.#child.once('spawn', () => {
        signal.removeEventListener('abort', onAbort);
        if (!this.#muted) resolve();
      });
      // Set right after exec, before node starts its threads, so that they all inherit it
      // (setpriority on Linux changes one thread). Not `nice -n`: that would turn a bad node
      // path into exit code 127 instead of a failed spawn. Never below the controller's own
      // niceness, which only a privileged user could do.
      if (this.pid !== 0 && niceness > getPriority()) {
        try {
          setPriority(this.pid, niceness);
        } catch (err) {
          fail(new Error(`[hostgrid] ${this.#what} could not start: cannot set niceness ${niceness} of ${file}: ${(err as Error).message}`, { cause: err }));
        }
      }
    });
  }

  send(frame: Uint8Array): void {
    if (!this.#ended) this.#writer.write(frame);
  }

  close(graceMs: number): Promise<void> {
    this.#closing ??= (async () => {
      this.#writer.flush();
      this.#ended = true;
      if (!this.#socket.destroyed) this.#socket.end();
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.gone;
      clearTimeout(timer);
    })();
    return this.#closing;
  }

  kill(): void {
    // After 'exit' the pid and its group may belong to someone else.
    if (this.#exited || this.pid === 0) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // The worker left its process group (setsid in initCmd, say): kill it alone.
      this.#child.kill('SIGKILL');
    }
  }

  #write(chunks: readonly Uint8Array[]): void {
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) return;
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
  }

  #read(chunk: Buffer): void {
    if (this.#muted || this.#error !== undefined) return;
    try {
      this.#decoder.push(chunk, (frame) => {
        try {
          this.#handlers.frame(frame);
        } catch (err) {
          // The grid's own bug: surface it, but keep the decoder in step with the stream.
          queueMicrotask(() => {
            throw err;
          });
        }
      });
    } catch (err) {
      // The stream cannot be resynchronised after a bad header.
      this.#error = err as Error;
      this.kill();
      this.#socket.destroy();
    }
  }

  #report(code: number | null, signal: NodeJS.Signals | null): void {
    this.#ended = true;
    if (this.#muted) return this.#markGone();
    this.#muted = true;
    const how = signal === null ? `exited with code ${String(code)}` : `killed by ${signal}`;
    const error = this.#error;
    const reason = error === undefined ? how : `${how} after an error on its channel: ${error.message}`;
    try {
      this.#handlers.closed({ reason, code, signal, ...(error === undefined ? {} : { error }) });
    } finally {
      // Even if the handler threw, the process is gone: close() and transport.close() must not hang.
      this.#markGone();
    }
  }
}
