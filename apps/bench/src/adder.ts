import { registerClass } from '@hostgrid/core/register';

/** The benchmark's service: the tiny call of PERFORMANCE.md, `add(1, 2)`. */
export class Adder {
  /** Returns `a + b`. */
  add(a: number, b: number): number {
    return a + b;
  }

  /** `add` over a chunk of pairs (for `grid.map`'s `chunk`). */
  addPairs(pairs: ReadonlyArray<readonly [number, number]>): number[] {
    return pairs.map(([a, b]) => a + b);
  }

  /** Resolves after `ms` (a call that stays pending, for failure detection). */
  async sleep(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Returns its argument (for bulk transfers). */
  echo<T>(value: T): T {
    return value;
  }
}

registerClass(Adder, import.meta.url);
