import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CloseCode, PROTOCOL_VERSION, decode, encode, makeNonce, parseJoin, verifyJoinProof, type JoinMessage } from '@hostgrid/protocol';
import type { ResolvedWsOptions } from './options.js';
import { UpgradeGuard } from './upgrade-guard.js';

/** Bytes a peer may send before it has authenticated (a join is a few hundred). */
const PRE_AUTH_BYTES = 16 * 1024;
/** How long a refused peer has to complete the close handshake before its socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** An authenticated peer: its connection and what it claims to be (proven with the token). */
export interface JoinedPeer {
  readonly ws: WebSocket;
  readonly join: JoinMessage;
  /** `address:port` of the peer, for messages. */
  readonly remote: string;
}

/** A refusal: the connection is closed with this code and reason. */
export interface Refusal {
  readonly code: number;
  readonly reason: string;
}

/**
 * Closes a connection with a code and reason, and destroys it if the peer does not
 * complete the close handshake soon.
 */
export function refuse(ws: WebSocket, refusal: Refusal): void {
  const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
  timer.unref();
  ws.once('close', () => clearTimeout(timer));
  ws.close(refusal.code, refusal.reason);
}

/**
 * The controller's listening endpoint: an HTTP(S) server whose WebSocket upgrades must
 * authenticate before anything else. A new connection has `authTimeoutMs` from its accept
 * to make its upgrade, and at most `maxPendingJoins` may be waiting to (more are destroyed
 * as they are accepted): see {@link UpgradeGuard}. Each upgraded connection gets a `challenge` (a fresh
 * nonce) and must answer with a `join` whose HMAC proof matches the token, within
 * `authTimeoutMs` and in at most 16 KiB; otherwise it is closed with 4401 (or 4408 for
 * the deadline) and a reason that tells nothing. At most `maxPendingJoins` connections
 * may be authenticating at once (more get HTTP 503). perMessageDeflate is off;
 * `maxPayload` is `maxFrameBytes` (a larger message closes the connection with 1009).
 */
export class JoinEndpoint {
  readonly url: string;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #options: ResolvedWsOptions;
  readonly #joined: (peer: JoinedPeer) => Refusal | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #guard: UpgradeGuard;
  #pending = 0;
  #closed = false;

  private constructor(server: Server, options: ResolvedWsOptions, joined: (peer: JoinedPeer) => Refusal | undefined) {
    this.#server = server;
    this.#options = options;
    this.#joined = joined;
    this.#wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: options.maxFrameBytes, clientTracking: false });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `${options.tls === undefined ? 'ws' : 'wss'}://${host}:${address.port}`;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#guard = new UpgradeGuard(server, { deadlineMs: options.authTimeoutMs, max: options.maxPendingJoins });
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => this.#upgrade(request, socket, head));
    server.on('request', (_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('Hostgrid controller: dial in with a WebSocket (npx @hostgrid/cli agent --connect …)\n');
    });
  }

  /**
   * Starts listening.
   *
   * @throws Error naming the address when it cannot listen (in use, not available)
   */
  static async listen(options: ResolvedWsOptions, joined: (peer: JoinedPeer) => Refusal | undefined): Promise<JoinEndpoint> {
    const server = options.tls === undefined ? createHttpServer() : createHttpsServer({ cert: options.tls.cert, key: options.tls.key });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`[hostgrid] wsTransport cannot listen on ${options.host}:${options.port}: ${error.message}`, { cause: error })));
      server.listen(options.port, options.host, () => resolve());
    });
    return new JoinEndpoint(server, options, joined);
  }

  /** Where it listens. */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /** Stops listening and destroys every connection still open. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    this.#guard.upgraded(socket);
    if (this.#closed || this.#pending >= this.#options.maxPendingJoins) {
      // Destroyed once written: the server's sockets are half-open, so a peer that never closes its side would be held.
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
      return;
    }
    this.#pending++;
    let authenticating = true;
    let bytes = head.length;
    const countBytes = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > PRE_AUTH_BYTES) socket.destroy();
    };
    socket.on('data', countBytes);
    const done = (): void => {
      if (!authenticating) return;
      authenticating = false;
      this.#pending--;
      socket.off('data', countBytes);
    };
    socket.once('close', done);
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', () => undefined);
      socket.setNoDelay(true);
      const nonce = makeNonce();
      const timer = setTimeout(() => {
        refuse(ws, { code: CloseCode.AuthTimeout, reason: 'authentication timed out' });
      }, this.#options.authTimeoutMs);
      timer.unref();
      ws.once('close', () => clearTimeout(timer));
      ws.send(encode({ type: 'challenge', version: PROTOCOL_VERSION, nonce }));
      ws.once('message', (data: RawData) => {
        clearTimeout(timer);
        // A refused peer stays held to PRE_AUTH_BYTES (and counted as joining) until its socket is gone:
        // what it sends during the close handshake is not read into memory.
        let join: JoinMessage;
        try {
          join = parseJoin(decode(data as Buffer));
        } catch {
          refuse(ws, { code: CloseCode.Unauthorized, reason: 'unauthorized' });
          return;
        }
        if (!verifyJoinProof(this.#options.token, nonce, join, join.proof)) {
          refuse(ws, { code: CloseCode.Unauthorized, reason: 'unauthorized' });
          return;
        }
        if (join.version !== PROTOCOL_VERSION) {
          refuse(ws, { code: CloseCode.Version, reason: `this controller speaks protocol version ${PROTOCOL_VERSION}` });
          return;
        }
        done();
        let refusal: Refusal | undefined;
        try {
          refusal = this.#joined({ ws, join, remote });
        } catch (error) {
          refusal = { code: CloseCode.Protocol, reason: `join failed: ${(error as Error).message}`.slice(0, 120) };
        }
        if (refusal !== undefined) refuse(ws, refusal);
      });
    });
  }
}
