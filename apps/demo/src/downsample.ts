/** A series thinned to at most a given number of points. */
export interface Thinned {
  /** The x of each point: the mean 1-based index of the values it stands for (a round number when nothing was thinned). */
  readonly x: number[];
  /** The mean of the values each point stands for. */
  readonly y: number[];
  /** How many consecutive values each point stands for (the last may stand for fewer). */
  readonly per: number;
}

/**
 * Thins `values` (one per round, say) to at most `maxPoints` points, each the mean of
 * `per` consecutive values; with `values.length <= maxPoints` every value is a point.
 *
 * @throws RangeError when `maxPoints` is not a positive integer
 */
export function bucketMeans(values: readonly number[], maxPoints: number): Thinned {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be a positive integer, got ${String(maxPoints)}`);
  const per = Math.max(1, Math.ceil(values.length / maxPoints));
  const x: number[] = [];
  const y: number[] = [];
  for (let start = 0; start < values.length; start += per) {
    const end = Math.min(values.length, start + per);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i]!;
    x.push((start + 1 + end) / 2);
    y.push(sum / (end - start));
  }
  return { x, y, per };
}
