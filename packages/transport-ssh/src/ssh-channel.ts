import type { ClientChannel } from 'ssh2';
import type { Channel, ChannelHandlers } from '@hostgrid/core';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameWriter, PreambleScanner } from '@hostgrid/protocol';
import type { HostConnection } from './host-connection.js';

/**
 * One worker over one SSH exec channel: frames on its stdin and stdout (after the
 * worker's preamble), its stderr as output. `closed` is reported once, when the channel
 * closes or its connection does (a lost link).
 */
export class SshChannel implements Channel {
  readonly #stream: ClientChannel;
  readonly #handlers: ChannelHandlers;
  readonly #decoder = new FrameDecoder(DEFAULT_MAX_FRAME_BYTES);
  readonly #preamble = new PreambleScanner();
  readonly #writer: FrameWriter;
  readonly #gone: Promise<void>;
  #markGone!: () => void;
  #reported = false;
  #exit: { code: number | null; signal: string | null } | undefined;
  #error: Error | undefined;
  readonly #forgetConnection: () => void;

  constructor(stream: ClientChannel, handlers: ChannelHandlers, connection: HostConnection) {
    this.#stream = stream;
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
      // EOF on its stdin: the worker ends its session and exits.
      this.#stream.end();
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.#gone;
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.#reported) return;
    // OpenSSH delivers the signal; the channel's close then ends the session (and, through
    // the worker's parent watch, the worker, should the signal not get through).
    this.#stream.signal('KILL');
    this.#stream.close();
  }

  #read(chunk: Buffer): void {
    const frames = this.#preamble.push(chunk, (text) => this.#handlers.output('stdout', text));
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
    const exit = this.#exit;
    const how = exit === undefined ? 'ended without an exit status' : exit.signal !== null ? `killed by SIG${exit.signal}` : `exited with code ${String(exit.code)}`;
    const error = this.#error;
    this.#handlers.closed({
      reason: error === undefined ? how : `${how}: ${error.message}`,
      code: exit?.code ?? null,
      signal: exit?.signal === null || exit?.signal === undefined ? null : `SIG${exit.signal}`,
      ...(error === undefined ? {} : { error }),
    });
    this.#markGone();
  }
}
