import type { MapProgress } from './map-options.js';

/** Where a map's progress goes: its `onProgress`, and the grid's `map-progress` event when someone listens. */
export interface ProgressSink {
  readonly onProgress: ((progress: MapProgress) => void) | undefined;
  /** Whether the grid has `map-progress` listeners: when nobody listens, nothing is computed. */
  listening(): boolean;
  emit(progress: MapProgress): void;
}

/** Counts a map's items and reports, at most every `intervalMs` and always at the end. */
export class ProgressCounter {
  done = 0;
  failed = 0;
  readonly #total: number | undefined;
  readonly #sink: ProgressSink;
  readonly #intervalMs: number;
  #startedAt = 0;
  #lastReport = -Infinity;

  constructor(total: number | undefined, sink: ProgressSink, intervalMs: number) {
    this.#total = total;
    this.#sink = sink;
    this.#intervalMs = intervalMs;
  }

  /** The clock starts with the first item sent, not when the map was made. */
  start(): void {
    this.#startedAt = performance.now();
  }

  /** Counts `items` ended, `failed` of them in failure, and reports when it is time. */
  count(items: number, failed: number): void {
    this.done += items;
    this.failed += failed;
    if (this.#sink.onProgress === undefined && !this.#sink.listening()) return;
    const now = performance.now();
    if (now - this.#lastReport < this.#intervalMs) return;
    this.#lastReport = now;
    this.#report(now);
  }

  /** The map has ended (or stopped): the last report, whatever the interval. */
  finish(): void {
    if (this.#sink.onProgress === undefined && !this.#sink.listening()) return;
    this.#report(performance.now());
  }

  /** A snapshot. */
  snapshot(now = performance.now()): MapProgress {
    const seconds = (now - this.#startedAt) / 1000;
    const perSecond = this.#startedAt === 0 || seconds <= 0 ? 0 : this.done / seconds;
    const total = this.#total;
    if (total === undefined) return { done: this.done, failed: this.failed, perSecond };
    if (perSecond === 0) return { done: this.done, failed: this.failed, total, perSecond };
    return { done: this.done, failed: this.failed, total, perSecond, etaMs: (Math.max(0, total - this.done) / perSecond) * 1000 };
  }

  #report(now: number): void {
    const progress = this.snapshot(now);
    this.#sink.onProgress?.(progress);
    if (this.#sink.listening()) this.#sink.emit(progress);
  }
}

/** The number of items an input holds, when it says so without being read. */
export function knownLength(inputs: object): number | undefined {
  const { length, size } = inputs as { length?: unknown; size?: unknown };
  if (typeof length === 'number' && Number.isInteger(length) && length >= 0) return length;
  if (typeof size === 'number' && Number.isInteger(size) && size >= 0) return size;
  return undefined;
}
