/**
 * A map's results between their calls' ends and the iteration: in input order (a result
 * that ends early waits for those before it) or as they come.
 */
export class MapOutput<T> {
  readonly #ordered: boolean;
  readonly #ready: T[] = [];
  #head = 0;
  /** Ordered: results that ended before an earlier one, by index. */
  readonly #parked = new Map<number, T>();
  #nextIndex = 0;

  constructor(ordered: boolean) {
    this.#ordered = ordered;
  }

  /** Whether a result can be taken. */
  get hasReady(): boolean {
    return this.#head < this.#ready.length;
  }

  /** Item `index` ended with `item` (its value, entry or failure). */
  put(index: number, item: T): void {
    if (!this.#ordered) {
      this.#ready.push(item);
      return;
    }
    if (index !== this.#nextIndex) {
      this.#parked.set(index, item);
      return;
    }
    this.#ready.push(item);
    this.#nextIndex++;
    while (this.#parked.has(this.#nextIndex)) {
      this.#ready.push(this.#parked.get(this.#nextIndex)!);
      this.#parked.delete(this.#nextIndex++);
    }
  }

  /** The next result; only when {@link MapOutput.hasReady}. */
  take(): T {
    const item = this.#ready[this.#head]!;
    this.#ready[this.#head++] = undefined as T;
    // A queue with a moving head: compacted now and then rather than shifted each time.
    if (this.#head > 1024 && this.#head * 2 > this.#ready.length) {
      this.#ready.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Drops what no one will take: results held back for order, and (`all`) those ready too. */
  drop(all: boolean): void {
    this.#parked.clear();
    if (!all) return;
    this.#ready.length = 0;
    this.#head = 0;
  }
}
