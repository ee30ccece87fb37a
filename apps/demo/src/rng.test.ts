import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from './rng.js';

const take = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.nextUint32());

/** What a Hostgrid worker does to a published object: own enumerable data onto the prototype. */
function revive<T extends object>(instance: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(instance) as object) as T, structuredClone({ ...instance }));
}

describe('Rng', () => {
  it('matches the xoshiro128** reference output for the state 1, 2, 3, 4', () => {
    expect(take(Rng.fromState([1, 2, 3, 4]), 3)).toEqual([11520, 0, 5927040]);
  });

  it('gives the same stream for the same seed and a different one for another seed', () => {
    expect(take(new Rng(42), 100)).toEqual(take(new Rng(42), 100));
    expect(take(new Rng(42), 100)).not.toEqual(take(new Rng(43), 100));
  });

  it('draws floats in [0, 1) that average about one half', () => {
    const rng = new Rng(7);
    const values = Array.from({ length: 10_000 }, () => rng.next());
    expect(values.every((u) => u >= 0 && u < 1)).toBe(true);
    expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(0.5, 1);
  });

  it('continues the same stream from a saved state', () => {
    const rng = new Rng(5);
    take(rng, 10);
    const copy = Rng.fromState(rng.state());
    expect(take(copy, 50)).toEqual(take(rng, 50));
  });

  it('continues the same stream when revived from its own enumerable state', () => {
    const rng = new Rng(9);
    take(rng, 3);
    const revived = revive(rng);
    expect(revived).toBeInstanceOf(Rng);
    expect(take(revived, 50)).toEqual(take(rng, 50));
  });

  it('keeps its state as four unsigned 32-bit integers', () => {
    const rng = new Rng(0);
    take(rng, 1000);
    expect(rng.state().every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
  });

  it('refuses seeds that are not 32-bit unsigned integers', () => {
    for (const seed of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => new Rng(seed)).toThrow(RangeError);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(RangeError);
  });
});

describe('deriveSeed', () => {
  it('gives distinct, reproducible seeds for distinct streams', () => {
    const seeds = Array.from({ length: 64 }, (_, stream) => deriveSeed(1, stream));
    expect(new Set(seeds).size).toBe(64);
    expect(deriveSeed(1, 3)).toBe(seeds[3]);
    expect(deriveSeed(2, 3)).not.toBe(seeds[3]);
  });
});
