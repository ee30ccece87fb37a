import type { ClientChannel } from 'ssh2';
import type { Channel, ChannelHandlers } from '@hostgrid/core';
import { FrameDecoder, FrameWriter, PreambleScanner } from '@hostgrid/protocol';
import type { HostConnection } from './host-connection.js';
import { PID_MARK } from './shell.js';

const PID_LINE = new RegExp(`${PID_MARK}(\\d+)\\n`);

/**
 * One worker over one SSH exec channel: frames on its stdin and stdout (after the
 * worker's preamble), its stderr as output. `closed` is reported once, when the channel
 * closes or its connection does (a lost link).
 */
export class SshChannel implements Channel {
  /** The worker's pid on its host, once the remote command has printed it. */
  pid: number | undefined;
  readonly maxFrameBytes: number;
  readonly #stream: ClientChannel;
  readonly #connection: HostConnection;
  readonly #handlers: ChannelHandlers;
  readonly #decoder: FrameDecoder;
  readonly #preamble = new PreambleScanner();
  readonly #writer: FrameWriter;
  readonly #gone: Promise<void>;
  #markGone!: () => void;
  #reported = false;
  #exit: { code: number | null; signal: string | null } | undefined;
  #error: Error | undefined;
  readonly #forgetConnection: () => void;

  constructor(stream: ClientChannel, handlers: ChannelHandlers, connection: HostConnection, maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
    this.#decoder = new FrameDecoder(maxFrameBytes);
    this.#stream = stream;
    this.#connection = connection;
    this.#handlers = handlers;
    this.#gone = new Promise((resolve) => (this.#markGone = resolve));
    this.#writer = new FrameWriter((chunks) => {
      if (stream.destroyed || !stream.writable) return;
      for (const chunk of chunks) stream.write(chunk);
    });
    stream.on('data', (chunk: Buffer) => this.#read(chunk));
    stream.stderr.on('data', (chunk: Buffer) => handlers.output('stderr', chunk.toString('utf8')));
    stream.on('exit', (code: number | null, signal?: string) => (this.#exit = { code, signal: signal ?? null }));
    stream.on('error', (error: Error) => (this.#error ??= error));
    stream.on('close', () => this.#report());
    this.#forgetConnection = connection.onClose((error) => {
      this.#error ??= error ?? new Error(`the SSH connection to ${connection.where} closed`);
      this.#report();
    });
  }

  send(frame: Uint8Array): void {
    if (!this.#reported) this.#writer.write(frame);
  }

  async close(graceMs: number): Promise<void> {
    if (!this.#reported) {
      this.#writer.flush();
      // The grid has sent `shutdown`: a free worker exits at once. The channel stays
      // writable meanwhile, because ssh2 sends no signal on a channel whose end was sent,
      // and a worker stuck in a long call would then outlive the grace.
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.#gone;
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.#reported) return;
    // sshd may ignore a "signal" request (OpenSSH 9.2 does), and keeps a session open while
    // its process runs: so the worker is killed by pid, with a command of its own.
    if (this.pid !== undefined) void this.#connection.run(`kill -KILL ${this.pid}`).catch(() => undefined);
    this.#stream.signal('KILL');
    this.#stream.end();
    this.#stream.close();
  }

  /** What the remote command printed before the worker's frames: its pid, then any shell noise (passed on as output). */
  #beforeFrames(text: string): void {
    const noise = text.replace(PID_LINE, (_line, pid: string) => {
      this.pid = Number(pid);
      return '';
    });
    if (noise !== '') this.#handlers.output('stdout', noise);
  }

  #read(chunk: Buffer): void {
    const frames = this.#preamble.push(chunk, (text) => this.#beforeFrames(text));
    if (frames === undefined || frames.length === 0) return;
    try {
      this.#decoder.push(frames, (frame) => this.#handlers.frame(frame));
    } catch (error) {
      this.#error = error as Error;
      this.kill();
    }
  }

  #report(): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#forgetConnection();
    const held = this.#preamble.flush();
    if (held !== '') this.#beforeFrames(held);
    const exit = this.#exit;
    const signal = exit?.signal === null || exit?.signal === undefined ? null : exit.signal.startsWith('SIG') ? exit.signal : `SIG${exit.signal}`;
    const how = exit === undefined ? 'ended without an exit status' : signal !== null ? `killed by ${signal}` : `exited with code ${String(exit.code)}`;
    const error = this.#error;
    this.#handlers.closed({
      reason: error === undefined ? how : `${how}: ${error.message}`,
      code: exit?.code ?? null,
      signal,
      ...(error === undefined ? {} : { error }),
    });
    this.#markGone();
  }
}
