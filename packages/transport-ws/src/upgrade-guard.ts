import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Limits of {@link UpgradeGuard}. */
export interface UpgradeGuardOptions {
  /** How long a connection may take from its accept to its WebSocket upgrade, in ms. */
  readonly deadlineMs: number;
  /** How many connections may be waiting to upgrade at once; a connection over it is destroyed as it is accepted. */
  readonly max: number;
}

/**
 * Bounds the connections of an HTTP(S) server that have not made their WebSocket upgrade:
 * a peer that connects and sends nothing, or half a request line, or headers without their
 * end, is destroyed `deadlineMs` after it was accepted (before the TLS handshake too, over
 * `https`), and at most `max` such connections are held at once. Node's own
 * `headersTimeout` and `requestTimeout` are checked only every 30 s, and `maxConnections`
 * would count the joined workers as well, hence this.
 *
 * Connections are known by their address pair, which is also how the upgrade's socket
 * (a `TLSSocket` wrapping the one accepted, over `https`) is matched to the accepted one.
 */
export class UpgradeGuard {
  readonly #options: UpgradeGuardOptions;
  readonly #waiting = new Map<string, NodeJS.Timeout>();

  constructor(server: Server, options: UpgradeGuardOptions) {
    this.#options = options;
    server.on('connection', (socket: Socket) => this.#accepted(socket));
  }

  /** The connection `socket` (the upgrade's socket) made its upgrade: it is no longer held to the deadline nor counted. */
  upgraded(socket: Socket): void {
    const key = keyOf(socket);
    const timer = this.#waiting.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#waiting.delete(key);
  }

  #accepted(socket: Socket): void {
    const key = keyOf(socket);
    if (this.#waiting.size >= this.#options.max || socket.remoteAddress === undefined || this.#waiting.has(key)) {
      socket.destroy();
      return;
    }
    const timer = setTimeout(() => socket.destroy(), this.#options.deadlineMs);
    timer.unref();
    this.#waiting.set(key, timer);
    socket.once('close', () => {
      if (this.#waiting.get(key) !== timer) return;
      clearTimeout(timer);
      this.#waiting.delete(key);
    });
  }
}

function keyOf(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}|${socket.localAddress}|${socket.localPort}`;
}
