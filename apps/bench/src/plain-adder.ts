/**
 * `add(a, b)` in a module that imports nothing, so that publishing it costs the grid's
 * own work plus loading one tiny file. ({@link Adder}'s module imports `@hostgrid/core`
 * for `registerClass`, which each worker then loads too.) Registered by the startup bench.
 */
export class PlainAdder {
  /** Returns `a + b`. */
  add(a: number, b: number): number {
    return a + b;
  }
}
