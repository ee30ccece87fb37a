import { describe, expect, it } from 'vitest';
import { bucketMeans } from './downsample.js';

describe('bucketMeans', () => {
  it('keeps every value, at 1-based x, when there are few', () => {
    expect(bucketMeans([5, 6, 7], 10)).toEqual({ x: [1, 2, 3], y: [5, 6, 7], per: 1 });
    expect(bucketMeans([], 10)).toEqual({ x: [], y: [], per: 1 });
  });

  it('averages consecutive values into at most maxPoints points', () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(bucketMeans(values, 4)).toEqual({ x: [2, 5, 8, 10], y: [2, 5, 8, 10], per: 3 });
    const many = bucketMeans(Array.from({ length: 100_000 }, () => 1), 1000);
    expect(many.x).toHaveLength(1000);
    expect(many.y.every((v) => v === 1)).toBe(true);
  });

  it('refuses a bad maxPoints', () => {
    expect(() => bucketMeans([1], 0)).toThrow(RangeError);
  });
});
