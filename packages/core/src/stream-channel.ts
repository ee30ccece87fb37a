import type { Readable, Writable } from 'node:stream';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameWriter, PreambleScanner } from '@hostgrid/protocol';
import { ProtocolError } from './errors.js';
import type { Channel, ChannelClosedInfo, ChannelHandlers } from './transport.js';

/**
 * A started process whose stdin and stdout carry a worker's frames (`hostgrid-worker
 * --stdio`, possibly behind `srun`, `qrsh` or another launcher). A Node `ChildProcess`
 * spawned with `stdio: 'pipe'` is one.
 */
export interface StreamProcess {
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** `close`: the process has ended and its streams are closed; `error`: it could not be started or signalled. */
  once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What {@link streamChannel} needs besides the process. */
export interface StreamChannelOptions {
  /**
   * Kills the worker and whatever stands between it and this machine (a launcher that
   * does not pass a kill on must be told some other way). Called by `Channel.kill`, when
   * the grace of `close` runs out, and when the worker's stream is corrupt.
   */
  kill(): void;
  /** The worker's pid on its host, once known (a launcher may learn it late, or never). */
  pid?(): number | undefined;
  /** Names the launcher in close reasons: `"srun"`, `"qrsh"`. */
  readonly name?: string;
  /**
   * The largest frame body on the channel (the channel's `maxFrameBytes`); a larger one
   * received ends the channel with a `ProtocolError`. @defaultValue `DEFAULT_MAX_FRAME_BYTES` (256 MiB)
   */
  readonly maxFrameBytes?: number | undefined;
}

/**
 * The channel to a worker that speaks frames over a process's stdin and stdout. Whatever
 * the process prints before the worker's preamble (shell start-up noise, a launcher's
 * banner) is passed on as stdout output; stderr is output too. `closed` is reported
 * once, when the process has ended and its streams are drained.
 *
 * Failure semantics: a corrupt stream (a bad frame length, a frame too large) kills the
 * process and reports `closed` with a `ProtocolError`; a process that cannot be started
 * reports `closed` with the start error.
 */
export function streamChannel(process: StreamProcess, handlers: ChannelHandlers, options: StreamChannelOptions): Channel {
  return new StreamChannel(process, handlers, options);
}

class StreamChannel implements Channel {
  readonly maxFrameBytes: number;
  readonly #process: StreamProcess;
  readonly #handlers: ChannelHandlers;
  readonly #options: StreamChannelOptions;
  readonly #decoder: FrameDecoder;
  readonly #preamble = new PreambleScanner();
  readonly #writer: FrameWriter;
  readonly #gone: Promise<void>;
  #markGone!: () => void;
  #reported = false;
  #error: Error | undefined;

  constructor(process: StreamProcess, handlers: ChannelHandlers, options: StreamChannelOptions) {
    this.#process = process;
    this.#handlers = handlers;
    this.#options = options;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#decoder = new FrameDecoder(this.maxFrameBytes);
    this.#gone = new Promise((resolve) => (this.#markGone = resolve));
    const stdin = process.stdin;
    this.#writer = new FrameWriter((chunks) => {
      if (stdin === null || stdin.destroyed || !stdin.writable) return;
      for (const chunk of chunks) stdin.write(chunk);
    });
    // A worker gone before we write must not crash this process with EPIPE.
    stdin?.on('error', (error: Error) => (this.#error ??= error));
    process.stdout?.on('data', (chunk: Buffer) => this.#read(chunk));
    process.stderr?.on('data', (chunk: Buffer) => handlers.output('stderr', chunk.toString('utf8')));
    process.on('error', (error: Error) => (this.#error ??= error));
    process.once('close', (code, signal) => this.#report(code, signal));
  }

  get pid(): number | undefined {
    return this.#options.pid?.();
  }

  send(frame: Uint8Array): void {
    if (!this.#reported) this.#writer.write(frame);
  }

  async close(graceMs: number): Promise<void> {
    if (this.#reported) return;
    this.#writer.flush();
    // The grid has sent `shutdown`; end of input tells a worker between calls the same.
    this.#process.stdin?.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.#gone;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.#reported) this.#options.kill();
  }

  #read(chunk: Buffer): void {
    if (this.#reported) return;
    const frames = this.#preamble.push(chunk, (text) => this.#handlers.output('stdout', text));
    if (frames === undefined || frames.length === 0) return;
    try {
      this.#decoder.push(frames, (frame) => this.#handlers.frame(frame));
    } catch (error) {
      this.#error ??= new ProtocolError({ message: `the worker's stream is corrupt: ${(error as Error).message}`, cause: error });
      this.kill();
    }
  }

  #report(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#reported) return;
    this.#reported = true;
    const held = this.#preamble.flush();
    if (held !== '') this.#handlers.output('stdout', held);
    const name = this.#options.name ?? 'the worker';
    const how = signal !== null ? `${name} was killed by ${signal}` : code === null ? `${name} ended` : `${name} exited with code ${code}`;
    const error = this.#error;
    const info: ChannelClosedInfo = {
      reason: error === undefined ? how : `${how}: ${error.message}`,
      code,
      signal,
      ...(error === undefined ? {} : { error }),
    };
    this.#handlers.closed(info);
    this.#markGone();
  }
}
