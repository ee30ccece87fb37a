import type { RawData, WebSocket } from 'ws';
import { ProtocolError, type Channel, type ChannelHandlers } from '@hostgrid/core';
import { CloseCode, FRAME_HEADER_BYTES, InvalidMessageError, MessageBatcher, unpackFrames, type ExitedMessage } from '@hostgrid/protocol';
import type { AgentLink } from './agent-link.js';
import { refuse } from './endpoint.js';

/** After the socket closed, how long to wait for the agent's exit report (for the exit code in the reason). */
const EXIT_REPORT_WAIT_MS = 500;
/** After the agent reported the exit, how long the socket may stay open before it is destroyed. */
const SOCKET_LINGER_MS = 1000;

/**
 * One slot worker's connection: frames as binary WebSocket messages (all frames of one
 * turn in one message, see `MessageBatcher`), stdout/stderr and the exit as its host
 * agent reports them. `closed` is called once: when the socket has closed and the agent
 * has reported the exit (or could not: it is gone, or did not within 0.5 s). A message
 * that does not split into whole frames closes the connection (4400) and reports a
 * {@link ProtocolError}; so does a handler that throws on a frame. Losing the host agent
 * loses the slot too (the agent kills its workers when its connection ends).
 */
export class WsSlotChannel implements Channel {
  readonly pid: number;
  readonly slot: number;
  /** A frame body too large to fit one WebSocket message of `maxFrameBytes` with its header is refused by its sender. */
  readonly maxFrameBytes: number;
  readonly #ws: WebSocket;
  readonly #agent: AgentLink;
  readonly #handlers: ChannelHandlers;
  readonly #maxFrameBytes: number;
  readonly #batcher: MessageBatcher;
  /** Settles once `closed` was called. */
  readonly gone: Promise<void>;
  readonly #forget: (() => void)[] = [];
  #markGone!: () => void;
  #socketClosed = false;
  #closeCode = 0;
  #exit: ExitedMessage | undefined;
  #error: Error | undefined;
  #agentGone = false;
  #reported = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, agent: AgentLink, slot: number, pid: number, handlers: ChannelHandlers, maxFrameBytes: number) {
    this.#ws = ws;
    this.#agent = agent;
    this.slot = slot;
    this.pid = pid;
    this.#handlers = handlers;
    this.#maxFrameBytes = maxFrameBytes;
    this.maxFrameBytes = Math.max(1, maxFrameBytes - FRAME_HEADER_BYTES);
    this.gone = new Promise((resolve) => (this.#markGone = resolve));
    this.#batcher = new MessageBatcher((parts) => {
      if (ws.readyState !== ws.OPEN) return;
      for (let i = 0; i < parts.length; i++) ws.send(parts[i]!, { binary: true, fin: i === parts.length - 1 });
    }, maxFrameBytes);
    ws.on('message', (data: RawData) => this.#receive(data as Buffer));
    ws.on('error', (error: Error & { code?: string }) => {
      // ws's own refusals of what the peer sent (a message over maxPayload, a bad WebSocket frame).
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.#error ??= new ProtocolError({ host: agent.host, slot, message: `worker on host "${agent.host}" slot ${slot} sent a message over the limit of ${maxFrameBytes} bytes`, cause: error });
      } else if (error.code?.startsWith('WS_ERR_') === true) {
        this.#error ??= new ProtocolError({ host: agent.host, slot, message: `worker on host "${agent.host}" slot ${slot} broke the WebSocket protocol: ${error.message}`, cause: error });
      } else {
        this.#error ??= error;
      }
    });
    ws.on('close', (code: number) => {
      this.#socketClosed = true;
      this.#closeCode = code;
      this.#settle();
    });
    // A worker whose socket closed before this channel existed fires no 'close' for it: report it all the same (once `spawn` has resolved).
    if (ws.readyState === ws.CLOSED) {
      queueMicrotask(() => {
        this.#socketClosed = true;
        this.#settle();
      });
    }
    this.#forget.push(
      agent.watchSlot(slot, {
        output: (stream, text) => {
          if (!this.#reported) handlers.output(stream, text);
        },
        exited: (exit) => {
          if (exit.pid !== pid) return;
          this.#exit = exit;
          this.#settle();
        },
      }),
      agent.onEnd((error) => {
        this.#agentGone = true;
        this.#error ??= error;
        ws.terminate();
        this.#settle();
      }),
    );
  }

  send(frame: Uint8Array): void {
    if (!this.#reported) this.#batcher.write(frame);
  }

  async close(graceMs: number): Promise<void> {
    if (this.#reported) return;
    // The grid has sent `shutdown`: a free worker exits at once; one stuck in a long call is killed after the grace.
    this.#batcher.flush();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.gone;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.#reported) return;
    this.#batcher.flush();
    this.#agent.post({ type: 'kill', slot: this.slot, pid: this.pid });
    this.#ws.terminate();
  }

  /** Called when the connection must end for a protocol fault. */
  #fault(message: string, cause?: unknown): void {
    if (this.#error === undefined) this.#error = new ProtocolError({ host: this.#agent.host, slot: this.slot, message: `worker on host "${this.#agent.host}" slot ${this.slot}: ${message}`, cause });
    this.#agent.post({ type: 'kill', slot: this.slot, pid: this.pid });
    refuse(this.#ws, { code: CloseCode.Protocol, reason: 'protocol error' });
    this.#ws.terminate();
  }

  #receive(data: Buffer): void {
    if (this.#reported || this.#error !== undefined) return;
    try {
      unpackFrames(data, (frame) => {
        if (!this.#reported && this.#error === undefined) this.#handlers.frame(frame);
      }, this.#maxFrameBytes);
    } catch (error) {
      this.#fault(error instanceof InvalidMessageError ? `bad message: ${error.message}` : `a frame could not be handled: ${(error as Error).message}`, error);
    }
  }

  #settle(): void {
    if (this.#reported) return;
    clearTimeout(this.#timer);
    if (this.#socketClosed && (this.#exit !== undefined || this.#agentGone)) {
      this.#report();
    } else if (this.#socketClosed) {
      this.#timer = setTimeout(() => this.#report(), EXIT_REPORT_WAIT_MS);
    } else if (this.#exit !== undefined) {
      this.#timer = setTimeout(() => this.#ws.terminate(), SOCKET_LINGER_MS);
    }
  }

  #report(): void {
    if (this.#reported) return;
    this.#reported = true;
    clearTimeout(this.#timer);
    for (const forget of this.#forget) forget();
    const exit = this.#exit;
    const how =
      exit === undefined
        ? `connection closed (${this.#closeCode})`
        : exit.signal !== null
          ? `killed by ${exit.signal}`
          : `exited with code ${String(exit.code)}`;
    const error = this.#error;
    this.#handlers.closed({
      reason: error === undefined ? how : `${how}: ${error.message}`,
      code: exit?.code ?? null,
      signal: exit?.signal ?? null,
      ...(error === undefined ? {} : { error }),
    });
    this.#markGone();
  }
}
