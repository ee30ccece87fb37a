import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Packr } from 'msgpackr';
import { frameReader } from './floor-frames.js';

const packr = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false });

/**
 * The raw floor's client: an id → resolver map, one promise per call, writes coalesced
 * per turn, over one duplex stream: a child process's fd 3 (what the local transport
 * uses) or an SSH exec channel (what the SSH transport uses). What a careful
 * hand-written RPC over the same channel costs.
 */
export class FloorClient implements AsyncDisposable {
  /** The local floor worker, when the channel is fd 3 of a child process. */
  readonly child: ChildProcess | undefined;
  readonly #socket: Duplex;
  readonly #ended: Promise<unknown>;
  readonly #waiting = new Map<number, (value: unknown) => void>();
  #nextId = 1;
  #pending: Buffer[] = [];
  #scheduled = false;

  private constructor(socket: Duplex, ended: Promise<unknown>, child?: ChildProcess) {
    this.child = child;
    this.#socket = socket;
    this.#ended = ended;
    this.#socket.on('data', this.#read);
  }

  /** A floor over a stream whose far end runs `floor-worker.js --stdio` (an SSH exec channel). */
  static async over(stream: Duplex): Promise<FloorClient> {
    const client = new FloorClient(stream, new Promise((resolve) => stream.once('close', resolve)));
    await client.call('add', [0, 0]);
    return client;
  }

  /** Starts the floor worker and waits until it answers. */
  static async start(): Promise<FloorClient> {
    const child = spawn(process.execPath, [new URL('./floor-worker.js', import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
    await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    const client = new FloorClient(child.stdio[3] as Socket, new Promise((resolve) => child.once('exit', resolve)), child);
    await client.call('add', [0, 0]);
    return client;
  }

  /** One call: `add(a, b)` or `echo(x)`. */
  call(method: string, args: unknown[]): Promise<unknown> {
    const id = this.#nextId++;
    const body = packr.pack({ id, method, args });
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(body.length);
    this.#pending.push(header, body);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return new Promise((resolve) => this.#waiting.set(id, resolve));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#socket.end();
    await this.#ended;
  }

  #flush(): void {
    this.#scheduled = false;
    this.#socket.write(Buffer.concat(this.#pending));
    this.#pending = [];
  }

  readonly #read = frameReader((body) => {
    const reply = packr.unpack(body) as { id: number; result: unknown };
    const resolve = this.#waiting.get(reply.id);
    this.#waiting.delete(reply.id);
    resolve?.(reply.result);
  });
}
