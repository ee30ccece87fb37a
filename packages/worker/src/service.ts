import type { CallMessage } from '@hostgrid/protocol';
import type { MethodTable } from './callable-methods.js';
import { WorkerFailure } from './worker-failure.js';

/** Where a {@link Service} reports how each call ended. */
export interface CallOutcomes {
  /** The method returned (or its promise fulfilled) `value`. */
  returned(service: Service, call: CallMessage, value: unknown): void;
  /** The method threw (or its promise rejected) `error`. */
  threw(call: CallMessage, error: unknown): void;
  /** The call was refused by the worker itself (no such method, service gone). */
  refused(id: number, failure: WorkerFailure): void;
}

const NO_METHODS: MethodTable = new Map();

/**
 * One published instance on this worker and the queue of calls to it. Calls run
 * strictly one at a time, in arrival order: a call that returns a thenable holds the
 * queue until it settles. A call that returns a plain value, with nothing queued, runs
 * and answers in the same turn without allocating a promise.
 *
 * Until {@link Service.ready} is called (the class is still being imported), calls queue.
 */
export class Service {
  /** The service id, e.g. `"Replica.1"`. */
  readonly name: string;
  readonly #outcomes: CallOutcomes;
  #state: 'loading' | 'ready' | 'gone' = 'loading';
  #instance: object | undefined;
  #methods: MethodTable = NO_METHODS;
  #className = '';
  // True while loading and while a call runs, so that anything arriving then waits its turn.
  #busy = true;
  #queue: CallMessage[] = [];
  #head = 0;

  constructor(name: string, outcomes: CallOutcomes) {
    this.name = name;
    this.#outcomes = outcomes;
  }

  /** The published class's name, for messages. */
  get className(): string {
    return this.#className;
  }

  /** Whether the service was dropped (destroyed, or its creation failed). */
  get gone(): boolean {
    return this.#state === 'gone';
  }

  /** The instance exists: run the calls that queued while it was being made. */
  ready(instance: object, methods: MethodTable, className: string): void {
    if (this.#state !== 'loading') return;
    this.#state = 'ready';
    this.#instance = instance;
    this.#methods = methods;
    this.#className = className;
    this.#busy = false;
    this.#drain();
  }

  /** Runs the call now if the service is idle, else queues it behind the others. */
  call(call: CallMessage): void {
    if (this.#busy) {
      this.#queue.push(call);
      return;
    }
    this.#run(call);
    // Only non-empty if user code made calls arrive re-entrantly while it ran.
    if (!this.#busy && this.#head < this.#queue.length) this.#drain();
  }

  /**
   * Drops a call that is still queued: it is refused with a `cancelled` failure. A call
   * that already started (or ended) is left alone; it answers as usual.
   */
  cancel(id: number): void {
    const at = this.#queue.findIndex((call, i) => i >= this.#head && call.id === id);
    if (at < 0) return;
    this.#queue.splice(at, 1);
    this.#outcomes.refused(id, new WorkerFailure('cancelled', `call ${id} to "${this.name}" was cancelled before it started`));
  }

  /**
   * Drops the instance. Every queued call is refused with `failure`; a call already
   * running still answers when it ends.
   */
  drop(failure: WorkerFailure): void {
    this.#state = 'gone';
    this.#instance = undefined;
    this.#methods = NO_METHODS;
    const queued = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    for (const call of queued) this.#outcomes.refused(call.id, failure);
  }

  #run(call: CallMessage): void {
    const method = this.#methods.get(call.method);
    if (method === undefined) {
      this.#outcomes.refused(call.id, this.#noSuchMethod(call.method));
      return;
    }
    this.#busy = true;
    let value: unknown;
    try {
      value = Reflect.apply(method, this.#instance, call.args);
      if (isThenable(value)) {
        // Promise.resolve adopts any thenable safely: a `then` that throws or settles twice is handled for us.
        Promise.resolve(value).then(
          (settled) => this.#settled(() => this.#outcomes.returned(this, call, settled)),
          (error: unknown) => this.#settled(() => this.#outcomes.threw(call, error)),
        );
        return;
      }
    } catch (error) {
      this.#busy = false;
      this.#outcomes.threw(call, error);
      return;
    }
    this.#busy = false;
    this.#outcomes.returned(this, call, value);
  }

  #settled(answer: () => void): void {
    try {
      answer();
    } finally {
      this.#busy = false;
      if (this.#state === 'ready') this.#drain();
    }
  }

  #drain(): void {
    while (!this.#busy && this.#head < this.#queue.length) {
      const next = this.#queue[this.#head++]!;
      this.#run(next);
    }
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #noSuchMethod(method: string): WorkerFailure {
    const names = [...this.#methods.keys()];
    const callable = names.length === 0 ? `class ${this.#className} has no callable methods` : `callable methods: ${names.join(', ')}`;
    return new WorkerFailure('method', `no method ${JSON.stringify(method)} on service "${this.name}" (${callable})`);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
