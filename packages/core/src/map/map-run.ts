import { HaltedError, SerializationError, WorkerLostError } from '../errors.js';
import type { Server } from '../server.js';
import type { Result } from '../result.js';
import { MapChunkError, MapFailure, type MapProgress, type MapResults, type MapSettings } from './map-options.js';
import { MapOutput } from './map-output.js';
import { ProgressCounter, type ProgressSink } from './map-progress.js';

/** What a map needs of its grid: its service's servers, and where to log. Nothing else of the grid. */
export interface MapContext {
  readonly service: string;
  readonly method: string;
  /** How many servers the service has when the map starts (one lane each). */
  readonly servers: number;
  /**
   * A free server of the service, waiting (FIFO, with every other caller) while all are
   * busy; rejects with `HaltedError` when the service or the grid is terminated meanwhile.
   */
  acquire(signal: AbortSignal): Server | Promise<Server>;
  /** Gives a server back (once its call has been sent: it is free when the call ends). */
  release(server: Server): void;
  readonly progress: ProgressSink;
  log(message: string): void;
}

/** Items sent in one call: their input indices and the call's arguments. */
interface Batch {
  readonly first: number;
  readonly items: readonly unknown[];
  tries: number;
}

type Source = Iterator<unknown> | AsyncIterator<unknown>;
type Waiting<T> = { resolve(result: IteratorResult<T, undefined>): void; reject(error: unknown): void };

const DONE: IteratorResult<never, undefined> = { done: true, value: undefined };

/**
 * One `grid.map`: lanes, one per server, each of which takes the next batch (a retry
 * first, else the next items of the input), waits for a free server of the pool, sends,
 * and waits for the result; so a fast server takes more items than a slow one. The
 * input is read only while fewer than `window` items are between read and yielded.
 */
export class MapRun<T> implements MapResults<T> {
  readonly #context: MapContext;
  readonly #settings: MapSettings;
  readonly #inputs: Iterable<unknown> | AsyncIterable<unknown>;
  readonly #counter: ProgressCounter;
  /** Given to every acquire, so that a stop takes the lanes out of the pool's queue. */
  readonly #stopping = new AbortController();
  #source: Source | undefined;
  #sourceDone = false;
  /** An async input is read by one lane at a time. */
  #reading: Promise<unknown> | undefined;
  #read = 0;
  readonly #retryQueue: Batch[] = [];
  /** Items read and not yet taken by the iteration: what the window bounds. */
  #outstanding = 0;
  readonly #output: MapOutput<T>;
  #waiting: Waiting<T> | undefined;
  readonly #spaceWaiters: Array<() => void> = [];
  #lanes = 0;
  #started = false;
  #stopped = false;
  #ended = false;
  #error: { readonly error: unknown } | undefined;
  /** The input's `return()`, once the map has stopped. */
  #closed: Promise<void> = Promise.resolve();
  readonly #onAbort = (): void => this.#stop({ error: this.#settings.signal!.reason });

  constructor(context: MapContext, inputs: Iterable<unknown> | AsyncIterable<unknown>, settings: MapSettings, total: number | undefined) {
    this.#context = context;
    this.#inputs = inputs;
    this.#settings = settings;
    this.#counter = new ProgressCounter(total, context.progress, settings.progressIntervalMs);
    this.#output = new MapOutput<T>(settings.ordered);
  }

  get progress(): MapProgress {
    return this.#counter.snapshot();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (!this.#started) this.#start();
    if (this.#output.hasReady) return Promise.resolve({ done: false, value: this.#take() });
    if (this.#error !== undefined) {
      const { error } = this.#error;
      this.#error = undefined;
      // After the input is closed, so that its `finally` has run when the loop sees the error.
      return this.#closed.then(() => Promise.reject(error));
    }
    if (this.#ended || this.#stopped) return Promise.resolve(DONE);
    if (this.#waiting !== undefined) return Promise.reject(new TypeError('[hostgrid] map: next() called again before the last next() settled'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.#stop(undefined);
    await this.#closed;
    return DONE;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }

  #start(): void {
    this.#started = true;
    const { signal } = this.#settings;
    if (signal?.aborted === true) {
      this.#stop({ error: signal.reason });
      return;
    }
    try {
      const inputs = this.#inputs as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
      const asyncIterator = inputs[Symbol.asyncIterator];
      this.#source = typeof asyncIterator === 'function' ? asyncIterator.call(inputs) : inputs[Symbol.iterator]!.call(inputs);
    } catch (error) {
      this.#stop({ error });
      return;
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#counter.start();
    const lanes = Math.max(1, Math.min(this.#context.servers, Math.floor(this.#settings.window / this.#settings.chunk)));
    this.#lanes = lanes;
    for (let i = 0; i < lanes; i++) void this.#lane();
  }

  async #lane(): Promise<void> {
    const { method } = this.#context;
    try {
      for (;;) {
        const next = this.#nextBatch();
        const batch = next instanceof Promise ? await next : next;
        if (batch === undefined) return;
        let server;
        try {
          const taken = this.#context.acquire(this.#stopping.signal);
          server = taken instanceof Promise ? await taken : taken;
        } catch (error) {
          // Stopped while waiting: the batch never ran, as a stopped map promises.
          if (!this.#stopped) this.#stop({ error: this.#lostError(error, `item ${batch.first} had a server to wait for`) });
          return;
        }
        if (this.#stopped) {
          this.#context.release(server);
          return;
        }
        let result: Result<unknown>;
        try {
          result = server.call(method, this.#argsOf(batch), undefined);
        } catch (error) {
          this.#batchEnded(batch, false, this.#unsendable(error, batch));
          continue;
        } finally {
          // Goes back to the pool when the call has ended.
          this.#context.release(server);
        }
        let ok = true;
        let value: unknown;
        try {
          value = await result;
        } catch (error) {
          ok = false;
          value = error;
        }
        this.#batchEnded(batch, ok, value);
      }
    } finally {
      if (--this.#lanes === 0) this.#lanesEnded();
    }
  }

  /** The next batch: a retry, else the input's next items once the window has room; undefined when there are none. */
  #nextBatch(): Batch | undefined | Promise<Batch | undefined> {
    if (this.#stopped) return undefined;
    const retry = this.#retryQueue.shift();
    if (retry !== undefined) return retry;
    if (this.#sourceDone) return undefined;
    if (this.#reading !== undefined || this.#outstanding + this.#settings.chunk > this.#settings.window) {
      return this.#waitForSpace().then(() => this.#nextBatch());
    }
    const first = this.#read;
    const items: unknown[] = [];
    const pull = (): Batch | undefined | Promise<Batch | undefined> => {
      while (items.length < this.#settings.chunk && !this.#stopped) {
        let step;
        try {
          step = this.#source!.next();
        } catch (error) {
          return this.#sourceFailed(error);
        }
        if (step instanceof Promise) {
          const reading: Promise<Batch | undefined> = step.then(
            (settled: IteratorResult<unknown>) => {
              this.#reading = undefined;
              if (!this.#accept(settled, items)) return this.#batchOf(first, items);
              return pull();
            },
            (error: unknown) => {
              this.#reading = undefined;
              return this.#sourceFailed(error);
            },
          );
          this.#reading = reading;
          return reading.finally(() => this.#wakeSpace());
        }
        if (!this.#accept(step, items)) break;
      }
      return this.#batchOf(first, items);
    };
    return pull();
  }

  /** Takes one item of the input; false when the input has ended. */
  #accept(step: IteratorResult<unknown>, items: unknown[]): boolean {
    if (step.done === true) {
      this.#sourceDone = true;
      return false;
    }
    items.push(step.value);
    this.#read++;
    this.#outstanding++;
    return true;
  }

  /** Items come until a chunk is full, the input ends or the map stops: none then means nothing is left to send. */
  #batchOf(first: number, items: unknown[]): Batch | undefined {
    return items.length === 0 ? undefined : { first, items, tries: 0 };
  }

  #sourceFailed(error: unknown): undefined {
    this.#sourceDone = true;
    this.#stop({ error });
    return undefined;
  }

  #argsOf(batch: Batch): readonly unknown[] {
    if (this.#settings.chunk > 1) return [batch.items];
    const item = batch.items[0];
    if (!this.#settings.spread) return [item];
    if (!Array.isArray(item)) throw new TypeError(`[hostgrid] map("${this.#context.service}", "${this.#context.method}", inputs, { spread: true }): item ${batch.first} is not an argument array`);
    return item;
  }

  /** A batch's call ended: retry it, stop the map, or hand its results to the iteration. */
  #batchEnded(batch: Batch, ok: boolean, value: unknown): void {
    if (this.#stopped) return;
    const { service, method } = this.#context;
    if (!ok && (value as Error)?.name === 'WorkerLostError' && batch.tries < this.#settings.retries) {
      batch.tries++;
      this.#context.log(`map ${service}.${method}: retrying item ${batch.first}${batch.items.length > 1 ? `–${batch.first + batch.items.length - 1}` : ''}: ${(value as Error).message}`);
      this.#retryQueue.push(batch);
      return;
    }
    const n = batch.items.length;
    if (ok && this.#settings.chunk > 1 && !(Array.isArray(value) && value.length === n)) {
      ok = false;
      value = new MapChunkError({
        service,
        method,
        message: `map: "${service}.${method}" got a chunk of ${n} items (from index ${batch.first}) and returned ${Array.isArray(value) ? `${value.length} results` : `a ${typeof value}`}, not an array of ${n} results`,
      });
    }
    if (!ok && !this.#settings.yieldErrors) {
      this.#counter.count(n, n);
      this.#stop({ error: this.#lostError(value, `item ${batch.first} failed`) });
      return;
    }
    for (let i = 0; i < n; i++) {
      const index = batch.first + i;
      const out = ok ? (this.#settings.chunk > 1 ? (value as unknown[])[i] : value) : undefined;
      this.#output.put(index, (ok ? (this.#settings.ordered ? out : { index, value: out }) : new MapFailure(index, value)) as T);
    }
    this.#counter.count(n, ok ? 0 : n);
    this.#deliver();
  }

  #take(): T {
    const item = this.#output.take();
    this.#outstanding--;
    this.#wakeSpace();
    return item;
  }

  /** Hands what is ready (or the end, or the error) to a waiting `next()`. */
  #deliver(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    if (this.#output.hasReady) {
      this.#waiting = undefined;
      waiting.resolve({ done: false, value: this.#take() });
    } else if (this.#error !== undefined) {
      this.#waiting = undefined;
      const { error } = this.#error;
      this.#error = undefined;
      void this.#closed.then(() => waiting.reject(error));
    } else if (this.#ended || this.#stopped) {
      this.#waiting = undefined;
      waiting.resolve(DONE);
    }
  }

  #waitForSpace(): Promise<void> {
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  #wakeSpace(): void {
    for (const wake of this.#spaceWaiters.splice(0)) wake();
  }

  /** Every lane has ended: the input is read to its end, or the map was stopped. */
  #lanesEnded(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#settings.signal?.removeEventListener('abort', this.#onAbort);
    if (!this.#stopped) this.#counter.finish();
    this.#deliver();
  }

  /** Stops the map, with an error for the iteration to throw, or none (a break). */
  #stop(failure: { readonly error: unknown } | undefined): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (failure !== undefined) this.#error = failure;
    this.#settings.signal?.removeEventListener('abort', this.#onAbort);
    this.#stopping.abort(new HaltedError({ service: this.#context.service, method: this.#context.method, message: 'the map was stopped' }));
    this.#wakeSpace();
    this.#closed = this.#closeSource();
    this.#retryQueue.length = 0;
    // A break drops every result; an error lets those ready be taken before it is thrown.
    this.#output.drop(failure === undefined);
    this.#counter.finish();
    this.#deliver();
  }

  /** Lets a generator run its `finally`: after the read under way, if there is one. */
  async #closeSource(): Promise<void> {
    const source = this.#source;
    if (source === undefined || this.#sourceDone) return;
    this.#sourceDone = true;
    try {
      if (this.#reading !== undefined) await this.#reading;
      await source.return?.();
    } catch {
      // The input's own cleanup failed; the map is stopping either way.
    }
  }

  /** A loss that stops the map says how far it got: what ended, and that the rest never ran. */
  #lostError(error: unknown, where: string): unknown {
    if ((error as Error)?.name !== 'WorkerLostError') return error;
    const { service, method } = this.#context;
    const { done, failed } = this.#counter;
    const { host, slot } = error as WorkerLostError;
    return new WorkerLostError({
      service,
      method,
      host,
      slot,
      message: `map over "${service}.${method}" stopped (${where}): ${(error as Error).message.replace(/^\[hostgrid\] /, '')}; ${done} items ended (${failed} failed), the ${this.#read - done} others read were dropped (never sent, or left to end with their results unused) and no more were read; none is sent again`,
      cause: error,
    });
  }

  #unsendable(error: unknown, batch: Batch): unknown {
    if ((error as Error)?.name !== 'SerializationError') return error;
    const { service, method } = this.#context;
    return new SerializationError({ service, method, message: `map: item ${batch.first} cannot be sent to "${service}.${method}": ${(error as Error).message}; it was not run`, cause: error });
  }
}
