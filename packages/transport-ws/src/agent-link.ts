import type { RawData, WebSocket } from 'ws';
import { HostgridError } from '@hostgrid/core';
import { CloseCode, InvalidMessageError, decode, encode, parseAgentReport, type AgentRequest, type ExitedMessage, type JoinMessage } from '@hostgrid/protocol';
import { refuse } from './endpoint.js';

/** Heartbeat timing of a link: a ping every `intervalMs`; lost after `misses` intervals of silence. */
export interface LinkTiming {
  readonly intervalMs: number;
  readonly misses: number;
}

/** What happens to one slot, as its agent reports it. */
export interface SlotEvents {
  output(stream: 'stdout' | 'stderr', text: string): void;
  exited(exit: ExitedMessage): void;
}

type Request = AgentRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * The controller's end of one host agent's connection: requests with replies (start a
 * slot, file operations), one-way messages (kill, link timing), the agent's reports
 * routed to the slot they concern, and the link's liveness: a WebSocket ping every
 * heartbeat interval, answered by the agent (which never runs user code, so it is never
 * too busy to answer); `misses` intervals without a word mark the link lost.
 */
export class AgentLink {
  readonly host: string;
  readonly slots: number;
  readonly join: JoinMessage;
  readonly remote: string;
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #slots = new Map<number, SlotEvents>();
  readonly #gone = new Set<(error: Error) => void>();
  #nextId = 1;
  #timing: LinkTiming;
  #timer: NodeJS.Timeout | undefined;
  #lastHeard = performance.now();
  #lastTick = performance.now();
  #ended: Error | undefined;

  constructor(ws: WebSocket, join: JoinMessage, remote: string, timing: LinkTiming, maxFrameBytes: number) {
    this.#ws = ws;
    this.join = join;
    this.host = join.host;
    this.slots = join.slots;
    this.remote = remote;
    this.#timing = timing;
    ws.on('message', (data: RawData) => this.#receive(data as Buffer));
    ws.on('pong', () => (this.#lastHeard = performance.now()));
    ws.on('close', (code: number, reason: Buffer) => this.#end(new HostgridError({ host: this.host, message: `the connection to host agent "${this.host}" (${remote}) closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})` })));
    ws.send(encode({ type: 'welcome', heartbeatMs: timing.intervalMs, misses: timing.misses, maxFrameBytes }));
    this.#startTimer();
  }

  /** Whether the connection is up. */
  get alive(): boolean {
    return this.#ended === undefined;
  }

  /** Why the link ended, once it has. */
  get ended(): Error | undefined {
    return this.#ended;
  }

  /**
   * Sends a request and resolves with the agent's reply value.
   *
   * @throws HostgridError naming the host when the agent answers with an error or the link ends first
   */
  request(message: Request): Promise<unknown> {
    if (this.#ended !== undefined) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(encode({ ...message, id }));
    });
  }

  /** Sends a message that gets no reply (`kill`, `link`). Dropped when the link has ended. */
  post(message: Extract<AgentRequest, { type: 'kill' | 'link' }>): void {
    if (this.#ended === undefined) this.#ws.send(encode(message));
  }

  /** Uses new heartbeat timing (the grid's), and tells the agent. */
  retime(timing: LinkTiming): void {
    if (timing.intervalMs === this.#timing.intervalMs && timing.misses === this.#timing.misses) return;
    this.#timing = timing;
    this.post({ type: 'link', heartbeatMs: timing.intervalMs, misses: timing.misses });
    this.#startTimer();
  }

  /** Routes a slot's reports to `events` until the returned function is called. */
  watchSlot(slot: number, events: SlotEvents): () => void {
    this.#slots.set(slot, events);
    return () => {
      if (this.#slots.get(slot) === events) this.#slots.delete(slot);
    };
  }

  /** Calls `listener` once when the link ends (at once if it has). */
  onEnd(listener: (error: Error) => void): () => void {
    if (this.#ended !== undefined) {
      listener(this.#ended);
      return () => undefined;
    }
    this.#gone.add(listener);
    return () => this.#gone.delete(listener);
  }

  /** Closes the connection with a code and reason. */
  close(code: number, reason: string): void {
    this.#end(new HostgridError({ host: this.host, message: `the connection to host agent "${this.host}" was closed (${reason})` }));
    refuse(this.#ws, { code, reason });
  }

  #receive(data: Buffer): void {
    this.#lastHeard = performance.now();
    let report;
    try {
      report = parseAgentReport(decode(data));
    } catch (error) {
      const detail = error instanceof InvalidMessageError ? error.message : String(error);
      this.#end(new HostgridError({ host: this.host, message: `host agent "${this.host}" sent a bad message: ${detail}` }));
      refuse(this.#ws, { code: CloseCode.Protocol, reason: 'bad message' });
      return;
    }
    switch (report.type) {
      case 'reply': {
        const pending = this.#pending.get(report.id);
        if (pending === undefined) return;
        this.#pending.delete(report.id);
        if (report.error === undefined) pending.resolve(report.value);
        else pending.reject(new HostgridError({ host: this.host, message: `host "${this.host}": ${report.error.message}` }));
        return;
      }
      case 'output':
        this.#slots.get(report.slot)?.output(report.stream, report.text);
        return;
      case 'exited':
        this.#slots.get(report.slot)?.exited(report);
        return;
      default:
        report satisfies never;
    }
  }

  #startTimer(): void {
    clearInterval(this.#timer);
    const { intervalMs, misses } = this.#timing;
    this.#timer = setInterval(() => {
      const now = performance.now();
      // A late tick means this process was busy: the agent's pongs may be waiting unread.
      const late = now - this.#lastTick > intervalMs * 2;
      this.#lastTick = now;
      if (!late && now - this.#lastHeard > intervalMs * misses) {
        const error = new HostgridError({ host: this.host, message: `the link to host "${this.host}" was lost: no answer for ${Math.round(now - this.#lastHeard)} ms (heartbeat ${intervalMs} ms × ${misses})` });
        this.#end(error);
        refuse(this.#ws, { code: CloseCode.LinkLost, reason: 'link lost' });
        this.#ws.terminate();
        return;
      }
      this.#ws.ping();
    }, intervalMs);
    this.#timer.unref();
  }

  #end(error: Error): void {
    if (this.#ended !== undefined) return;
    this.#ended = error;
    clearInterval(this.#timer);
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    for (const listener of [...this.#gone]) listener(error);
    this.#gone.clear();
  }
}
