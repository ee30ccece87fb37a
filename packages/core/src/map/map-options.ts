import { HostgridError } from '../errors.js';

/** How far a {@link MapResults} has got. */
export interface MapProgress {
  /** Items that have ended, failed ones included. */
  readonly done: number;
  /** Items that ended in failure (with `onError: 'yield'`, each is yielded as a {@link MapFailure}). */
  readonly failed: number;
  /** The number of inputs, when it is known up front (an array, a `Set`, anything with a `length` or `size`). */
  readonly total?: number;
  /** Items done per second since the map started. */
  readonly perSecond: number;
  /** Time left at that rate, in ms, when `total` is known and something is done. */
  readonly etaMs?: number;
}

/** A `map-progress` event: a {@link MapProgress} and the map it is about. */
export interface MapProgressEvent extends MapProgress {
  readonly service: string;
  readonly method: string;
  /** The map's number in its grid, from 1, to tell maps that run at once apart. */
  readonly map: number;
}

/** Options of {@link Grid.map}. */
export interface MapOptions {
  /**
   * Yield results in input order (`true`), or as they come (`false`), each as
   * `{ index, value }`. @defaultValue true
   */
  readonly ordered?: boolean;
  /**
   * Send this many items per call, for tasks so small that a call each would cost more
   * than the work: the method then receives an array of up to `chunk` items and must
   * return an array of as many results, in the same order. Results are still yielded
   * one per item. @defaultValue 1 (the method receives the item itself)
   */
  readonly chunk?: number;
  /**
   * The most items read from the input and not yet taken by the iteration: reading
   * pauses while this many are in flight or waiting to be yielded. At least `chunk`.
   * @defaultValue `chunk` × the larger of 64 and 4 × the service's servers
   */
  readonly window?: number;
  /**
   * Send an item (or chunk) again to another server, up to this many times, when its
   * server is lost. Only for methods that may run twice without harm.
   * @defaultValue the service's retry policy for the method, else 0
   */
  readonly retries?: number;
  /**
   * `'throw'`: the first failure stops the map (nothing more is sent) and the iteration
   * throws it; `'yield'`: a failed item is yielded as a {@link MapFailure} in its place
   * and the map goes on. @defaultValue 'throw'
   */
  readonly onError?: 'throw' | 'yield';
  /** Aborting stops the map: items not yet sent never run, and the iteration throws the signal's reason. */
  readonly signal?: AbortSignal;
  /** Each input item is an array: the method's argument list, not its one argument. @defaultValue false */
  readonly spread?: boolean;
  /** Told of progress, as the `map-progress` event is. */
  readonly onProgress?: (progress: MapProgress) => void;
  /** The least time between two progress reports, in ms (the last one always comes). @defaultValue 100 */
  readonly progressIntervalMs?: number;
}

/** A result out of completion order (`ordered: false`): the item's index in the input, and its value. */
export interface MapEntry<R> {
  readonly index: number;
  readonly value: R;
}

/** A failed item, yielded in its place with `onError: 'yield'`. */
export class MapFailure {
  /** The item's index in the input. */
  readonly index: number;
  /** What its call threw (`RemoteError`, `WorkerLostError`, …). */
  readonly error: unknown;

  /** @internal Made by the map. */
  constructor(index: number, error: unknown) {
    this.index = index;
    this.error = error;
  }
}

/**
 * A chunk's call (`chunk` > 1) did not return an array with one result per item; every
 * item of the chunk fails with this.
 */
export class MapChunkError extends HostgridError {
  override readonly name = 'MapChunkError';
}

/**
 * The results of {@link Grid.map}: an async iterable, read once. Nothing is sent before
 * the first `next()` (or `toArray()`); breaking out of a `for await` stops the map.
 */
export interface MapResults<T> extends AsyncIterableIterator<T, undefined, undefined>, AsyncDisposable {
  /** Every result, in the iteration's order. @throws as the iteration does */
  toArray(): Promise<T[]>;
  /** Stops the map: nothing more is sent; calls under way run to their ends (their servers go back then), their values dropped. */
  return(): Promise<IteratorResult<T, undefined>>;
  /** How far the map has got. */
  readonly progress: MapProgress;
}

/** The options with their defaults, checked. */
export interface MapSettings {
  readonly ordered: boolean;
  readonly chunk: number;
  readonly window: number;
  readonly retries: number;
  readonly yieldErrors: boolean;
  readonly spread: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: MapProgress) => void) | undefined;
  readonly progressIntervalMs: number;
}

/**
 * Checks `grid.map`'s options and fills in their defaults.
 *
 * @throws TypeError naming the bad option
 */
export function mapSettings(options: MapOptions, servers: number, defaultRetries: number): MapSettings {
  if (typeof options !== 'object' || options === null) throw new TypeError('[hostgrid] map: options must be an object');
  const chunk = options.chunk ?? 1;
  if (!(Number.isInteger(chunk) && chunk >= 1)) throw new TypeError(`[hostgrid] map: "chunk" must be an integer >= 1, got ${String(options.chunk)}`);
  const window = options.window ?? Math.max(64, 4 * servers) * chunk;
  if (!(Number.isInteger(window) && window >= chunk)) throw new TypeError(`[hostgrid] map: "window" must be an integer >= chunk (${chunk}), got ${String(options.window)}`);
  const retries = options.retries ?? defaultRetries;
  if (!(Number.isInteger(retries) && retries >= 0)) throw new TypeError(`[hostgrid] map: "retries" must be an integer >= 0, got ${String(options.retries)}`);
  if (options.onError !== undefined && options.onError !== 'throw' && options.onError !== 'yield') {
    throw new TypeError(`[hostgrid] map: "onError" must be 'throw' or 'yield', got ${JSON.stringify(options.onError)}`);
  }
  if (options.spread === true && options.chunk !== undefined && chunk > 1) throw new TypeError('[hostgrid] map: "spread" and "chunk" cannot be combined (a chunk is always one array argument)');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('[hostgrid] map: "signal" must be an AbortSignal');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError('[hostgrid] map: "onProgress" must be a function');
  const progressIntervalMs = options.progressIntervalMs ?? 100;
  if (!(typeof progressIntervalMs === 'number' && progressIntervalMs >= 0)) {
    throw new TypeError(`[hostgrid] map: "progressIntervalMs" must be a number >= 0, got ${String(options.progressIntervalMs)}`);
  }
  return {
    ordered: options.ordered !== false,
    chunk,
    window,
    retries,
    yieldErrors: options.onError === 'yield',
    spread: options.spread === true,
    signal: options.signal,
    onProgress: options.onProgress,
    progressIntervalMs,
  };
}
