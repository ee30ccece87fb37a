import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Packr } from 'msgpackr';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

const packr = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false });

/** TLS material for a `wss://` floor: the server's certificate and key, and the CA file the worker trusts. */
export interface FloorTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly caFile: string;
}

/**
 * The raw WebSocket floor: a bare ws server in this process (perMessageDeflate off, Nagle
 * off; ws sets it on every socket) with a bare ws client process dialling in (`ws-floor-worker.js`), the same
 * msgpackr frames as Hostgrid's, an id → resolver map and one promise per call. With
 * `batched`, both ends send every frame of one turn in one message (as Hostgrid does);
 * without, one message per frame.
 */
export class WsFloor implements AsyncDisposable {
  readonly child: ChildProcess;
  readonly #server: Server;
  readonly #ws: WebSocket;
  readonly #batched: boolean;
  readonly #waiting = new Map<number, (value: unknown) => void>();
  #nextId = 1;
  #pending: Buffer[] = [];
  #scheduled = false;

  private constructor(server: Server, ws: WebSocket, child: ChildProcess, batched: boolean) {
    this.#server = server;
    this.#ws = ws;
    this.child = child;
    this.#batched = batched;
    ws.on('message', (data: RawData) => {
      const message = data as Buffer;
      for (let at = 0; at < message.length; ) {
        const length = message.readUInt32BE(at);
        const reply = packr.unpack(message.subarray(at + 4, at + 4 + length)) as { id: number; result: unknown };
        at += 4 + length;
        const resolve = this.#waiting.get(reply.id);
        this.#waiting.delete(reply.id);
        resolve?.(reply.result);
      }
    });
  }

  /** Starts the server and the floor worker, and waits until it answers. */
  static async start(batched: boolean, tls?: FloorTls): Promise<WsFloor> {
    const server = tls === undefined ? createHttpServer() : createHttpsServer({ cert: tls.cert, key: tls.key });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    const { port } = server.address() as AddressInfo;
    const url = `${tls === undefined ? 'ws' : 'wss'}://127.0.0.1:${port}`;
    const connected = new Promise<WebSocket>((resolve) => wss.once('connection', (ws, request) => (request.socket.setNoDelay(true), resolve(ws))));
    const args = [new URL('./ws-floor-worker.js', import.meta.url).pathname, url, ...(batched ? ['--batched'] : []), ...(tls === undefined ? [] : ['--ca', tls.caFile])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    const floor = new WsFloor(server, await connected, child, batched);
    await floor.call('add', [0, 0]);
    return floor;
  }

  /** One call: `add(a, b)` or `echo(x)`. */
  call(method: string, args: unknown[]): Promise<unknown> {
    const id = this.#nextId++;
    const body = packr.pack({ id, method, args });
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(body.length);
    const promise = new Promise((resolve) => this.#waiting.set(id, resolve));
    if (!this.#batched) {
      this.#ws.send(Buffer.concat([header, body]));
      return promise;
    }
    this.#pending.push(header, body);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#ws.send(Buffer.concat(this.#pending));
        this.#pending = [];
      });
    }
    return promise;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.#ws.close();
    await exited;
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
