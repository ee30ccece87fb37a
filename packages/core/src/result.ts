import { TimeoutError, describeWhere, type ErrorContext } from './errors.js';
import { checkTimeout } from './timeout.js';

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/** Settles a {@link Result}. Only code in this package holds it. */
export const settle = Symbol('settle');

/** Gives a {@link Result} the one to tell when it fails with nobody handling it. Only code in this package holds it. */
export const watch = Symbol('watch');

/** Gives a {@link Result} a callback for when it settles, which does not count as handling it. Only code in this package holds it. */
export const onSettled = Symbol('onSettled');

/** Told of a failed result that had no handler by the end of the turn it failed in (the grid's `unobserved-failure`). */
export type UnobservedReporter = (error: unknown, context: ErrorContext) => void;

/**
 * The outcome of one remote call: awaitable like a promise, and with the seed's
 * `get(timeout)`. Nothing is lost when a result is never awaited: a failed result that
 * nobody looks at does not become an unhandled rejection (which would end the process);
 * when it has no handler (`await`, `then`, `catch`, `get`) by the end of the turn it
 * failed in, the grid reports it as an `unobserved-failure` event instead.
 *
 * @example
 * ```ts
 * const energy = await proxy.energy();          // wait as long as it takes
 * const e2 = await proxy.energy().get(5_000);   // or at most 5 s
 * ```
 */
export class Result<T> implements PromiseLike<T> {
  #state: typeof PENDING | typeof FULFILLED | typeof REJECTED = PENDING;
  #value: unknown;
  #promise: Promise<T> | undefined;
  #resolve: ((value: T) => void) | undefined;
  #reject: ((reason: unknown) => void) | undefined;
  readonly #context: ErrorContext;
  #reporter: UnobservedReporter | undefined;
  #settled: (() => void) | undefined;

  /** @internal Results are made by proxies, `grid.call`, `broadcast` and `scatter`. */
  constructor(context: ErrorContext) {
    this.#context = context;
  }

  /** Whether the value (or the error) is there yet. */
  get settled(): boolean {
    return this.#state !== PENDING;
  }

  /**
   * The value, once the call has finished.
   *
   * @param timeoutMs - give up after this many ms; the call itself goes on, and its server stays held until it ends
   * @throws {@link TimeoutError} when `timeoutMs` passes first; whatever the call threw otherwise
   *   (`RemoteError`, `WorkerLostError`, …)
   */
  get(timeoutMs?: number): Promise<T> {
    // Checked before the result is observed: a refused get must not leave a promise
    // without a handler, nor hide the call's failure from the unobserved-failure report.
    try {
      timeoutMs = checkTimeout(timeoutMs, 'get(timeout)');
    } catch (error) {
      return Promise.reject(error);
    }
    const promise = this.#toPromise();
    if (timeoutMs === undefined || this.#state !== PENDING) return promise;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const where = describeWhere(this.#context);
        reject(new TimeoutError({ ...this.#context, timeoutMs, message: `timeout ${where === '' ? 'waiting for a result' : where} after ${timeoutMs} ms` }));
      }, timeoutMs);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.#toPromise().then(onFulfilled, onRejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.#toPromise().catch(onRejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.#toPromise().finally(onFinally);
  }

  /** @internal Fulfils (`ok`) or rejects the result; later calls are ignored. */
  [settle](ok: boolean, value: unknown): void {
    if (this.#state !== PENDING) return;
    this.#state = ok ? FULFILLED : REJECTED;
    this.#value = value;
    if (this.#settled !== undefined) {
      this.#settled();
      this.#settled = undefined;
    }
    if (this.#promise !== undefined) {
      if (ok) this.#resolve!(value as T);
      else this.#reject!(value);
      this.#resolve = this.#reject = undefined;
    } else if (!ok && this.#reporter !== undefined) {
      this.#checkObserved();
    }
  }

  /** @internal From now on, a failure nobody handles by the end of its turn goes to `reporter`. */
  [watch](reporter: UnobservedReporter): void {
    this.#reporter = reporter;
    if (this.#state === REJECTED && this.#promise === undefined) this.#checkObserved();
  }

  /** @internal `callback` runs once, when the result settles; unlike `then`, it is no handler of a failure. */
  [onSettled](callback: () => void): void {
    if (this.#state !== PENDING) callback();
    else this.#settled = callback;
  }

  /** A handler may still come in this turn (`const r = proxy.f(); r.catch(…)`): look once the turn is over. */
  #checkObserved(): void {
    setImmediate(() => {
      if (this.#promise === undefined) this.#reporter!(this.#value, this.#context);
    });
  }

  #toPromise(): Promise<T> {
    if (this.#promise === undefined) {
      if (this.#state === FULFILLED) this.#promise = Promise.resolve(this.#value as T);
      else if (this.#state === REJECTED) this.#promise = Promise.reject(this.#value);
      else {
        this.#promise = new Promise<T>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      }
    }
    return this.#promise;
  }
}
