import { HostgridError, type HostgridErrorOptions } from './errors.js';
import { streamChannel, type StreamProcess } from './stream-channel.js';
import type { Channel, ChannelClosedInfo, ChannelHandlers } from './transport.js';

/** What a {@link LaunchedChannel} needs besides the launcher's process and the grid's handlers. */
export interface LaunchedChannelOptions {
  /** `srun worker for host "h2" slot 0`: starts the message of a failed start. */
  readonly what: string;
  readonly host: string;
  readonly slot: number;
  /** Names the launcher in close reasons: `"srun"`, `"the worker (a qrsh -inherit task)"`. */
  readonly name: string;
  /**
   * The line the host-side shell writes to stderr once the worker is starting (with its
   * pid, a step id, …). It is taken out of the output; until it has come, the worker has
   * not started.
   */
  readonly marker: RegExp;
  /** Called with the marker's match, before `started` resolves: learn the pid and the like here. */
  onMarker(match: RegExpExecArray): void;
  /** Kills the worker and the launcher (see `StreamChannelOptions.kill`); also called when the spawn is aborted. */
  kill(): void;
  /** The worker's pid on its host, once known. */
  pid(): number | undefined;
  /**
   * The error `started` rejects with when the launcher ends before the marker, given the
   * error's options (host, slot, a message quoting the launcher, the cause) and what the
   * launcher said; `undefined` for the default, a `HostgridError` with those options.
   */
  startError?(options: HostgridErrorOptions, said: string): Error | undefined;
  /** The largest frame accepted from the worker. @defaultValue `DEFAULT_MAX_FRAME_BYTES` */
  readonly maxFrameBytes?: number | undefined;
}

/**
 * A worker started through a launcher (`srun`, `qrsh -inherit`) whose host-side shell
 * reports on stderr, before the worker runs, that it is starting: a {@link streamChannel}
 * over the launcher's process, and the start in between. The grid holds the channel only
 * once `spawn` resolves, so until {@link LaunchedChannel.deliver} nothing reaches its
 * handlers but frames: output is held, and a launcher that ends before the marker rejects
 * `started` (with the launcher's own words) instead of reporting `closed`.
 *
 * Failure semantics: `started` rejects once, with `startError`'s error, when the launcher
 * ends before the marker; `closed` is reported once otherwise, after the held output.
 */
export class LaunchedChannel {
  /** The channel to hand to the grid (through {@link LaunchedChannel.open}). */
  readonly channel: Channel;
  /** Resolves once the marker has come; rejects if the launcher ends before. */
  readonly started: Promise<void>;
  /** Resolves once the launcher has ended and `closed` was handled (or swallowed, for a failed start). */
  readonly gone: Promise<void>;
  readonly #handlers: ChannelHandlers;
  readonly #options: LaunchedChannelOptions;
  /** Output held until the grid has the channel; `undefined` once it has. */
  #held: Array<['stdout' | 'stderr', string]> | undefined = [];
  /** stderr read before the marker: searched for it. */
  #stderrBefore = '';
  #marked = false;
  #settle!: { resolve: () => void; reject: (error: Error) => void };
  #markGone!: () => void;

  constructor(process: StreamProcess, handlers: ChannelHandlers, options: LaunchedChannelOptions) {
    this.#handlers = handlers;
    this.#options = options;
    this.started = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    this.started.catch(() => undefined);
    this.gone = new Promise((resolve) => (this.#markGone = resolve));
    this.channel = streamChannel(
      process,
      {
        frame: (frame) => handlers.frame(frame),
        output: (stream, text) => this.#output(stream, text),
        closed: (info) => this.#closed(info),
      },
      {
        name: options.name,
        kill: () => options.kill(),
        pid: () => options.pid(),
        ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
      },
    );
  }

  /** Whether the marker has come. */
  get isStarted(): boolean {
    return this.#marked;
  }

  /** The grid now holds the channel: output held so far goes to it, and from now on straight through. */
  deliver(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const [stream, text] of held) this.#handlers.output(stream, text);
  }

  /**
   * The end of a transport's `spawn`: waits for the start, killing the launch if `signal`
   * aborts meanwhile, then delivers and returns the channel.
   *
   * @param notFound - the error to reject with when the launcher itself could not be run
   *   (ENOENT: not installed, not on `PATH`), given that start error; say, one naming the
   *   package to install. @defaultValue the start error as it is
   * @throws `signal.reason` when aborted (after the launcher is gone, if it had started);
   *   the start error otherwise.
   */
  async open(signal: AbortSignal, notFound?: (error: Error) => Error): Promise<Channel> {
    const onAbort = (): void => this.#options.kill();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.started;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw notFound !== undefined && error instanceof Error && error.message.includes('ENOENT') ? notFound(error) : error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) {
      this.#options.kill();
      await this.gone;
      throw signal.reason;
    }
    this.deliver();
    return this.channel;
  }

  #output(stream: 'stdout' | 'stderr', text: string): void {
    if (stream === 'stderr' && !this.#marked) {
      this.#stderrBefore += text;
      const match = this.#options.marker.exec(this.#stderrBefore);
      if (match === null) return;
      this.#marked = true;
      const rest = this.#stderrBefore.replace(this.#options.marker, '');
      this.#stderrBefore = '';
      this.#options.onMarker(match);
      if (rest !== '') this.#pass('stderr', rest);
      this.#settle.resolve();
      return;
    }
    this.#pass(stream, text);
  }

  #pass(stream: 'stdout' | 'stderr', text: string): void {
    if (this.#held === undefined) this.#handlers.output(stream, text);
    else this.#held.push([stream, text]);
  }

  #closed(info: ChannelClosedInfo): void {
    try {
      if (!this.#marked) {
        // Never started: the grid hears of it through spawn's rejection, with the launcher's words.
        const said = [this.#stderrBefore, ...(this.#held ?? []).map(([, text]) => text)].join('').trim();
        const { what, host, slot } = this.#options;
        const options: HostgridErrorOptions = { host, slot, message: `${what} could not start: ${info.reason}${said === '' ? '' : `: ${said}`}`, ...(info.error === undefined ? {} : { cause: info.error }) };
        this.#settle.reject(this.#options.startError?.(options, said) ?? new HostgridError(options));
        return;
      }
      this.deliver();
      this.#handlers.closed(info);
    } finally {
      this.#markGone();
    }
  }
}
