import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { Packr } from 'msgpackr';

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
  #held: Buffer | undefined;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.#socket = child.stdio[3] as Socket;
    this.#socket.on('data', (chunk: Buffer) => this.#read(chunk));
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

  #read(chunk: Buffer): void {
    const buf = this.#held === undefined ? chunk : Buffer.concat([this.#held, chunk]);
    let at = 0;
    while (buf.length - at >= 4) {
      const end = at + 4 + buf.readUInt32BE(at);
      if (end > buf.length) break;
      const reply = packr.unpack(buf.subarray(at + 4, end)) as { id: number; result: unknown };
      const resolve = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      resolve?.(reply.result);
      at = end;
    }
    this.#held = at === buf.length ? undefined : buf.subarray(at);
  }
}
