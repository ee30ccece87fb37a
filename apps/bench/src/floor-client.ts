import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { Packr } from 'msgpackr';
import { frameReader } from './floor-frames.js';

const packr = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false });

/**
 * The raw floor's client: one child process on fd 3, an id → resolver map, one promise
 * per call, writes coalesced per turn. What a careful hand-written RPC over the same
 * channel as the local transport costs.
 */
export class FloorClient implements AsyncDisposable {
  readonly child: ChildProcess;
  readonly #socket: Socket;
  readonly #waiting = new Map<number, (value: unknown) => void>();
  #nextId = 1;
  #pending: Buffer[] = [];
  #scheduled = false;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.#socket = child.stdio[3] as Socket;
    this.#socket.on('data', this.#read);
  }

  /** Starts the floor worker and waits until it answers. */
  static async start(): Promise<FloorClient> {
    const child = spawn(process.execPath, [new URL('./floor-worker.js', import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
    await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    const client = new FloorClient(child);
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
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.#socket.end();
    await exited;
  }

  #flush(): void {
    this.#scheduled = false;
    this.#socket.cork();
    for (const chunk of this.#pending) this.#socket.write(chunk);
    this.#socket.uncork();
    this.#pending = [];
  }

  readonly #read = frameReader((body) => {
    const reply = packr.unpack(body) as { id: number; result: unknown };
    const resolve = this.#waiting.get(reply.id);
    this.#waiting.delete(reply.id);
    resolve?.(reply.result);
  });
}
