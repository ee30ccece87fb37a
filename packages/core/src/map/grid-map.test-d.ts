import { describe, expectTypeOf, it } from 'vitest';
import type { Grid } from '../grid.js';
import type { Result } from '../result.js';
import type { MapEntry, MapFailure, MapResults } from './map-options.js';

declare const grid: Grid;

describe('grid.map typing', () => {
  it('yields R in input order, MapEntry<R> with ordered: false, and adds MapFailure with onError: yield', () => {
    expectTypeOf(grid.map<number>('S.1', 'f', [1, 2])).toEqualTypeOf<MapResults<number>>();
    expectTypeOf(grid.map<number>('S.1', 'f', [1, 2], { chunk: 10 })).toEqualTypeOf<MapResults<number>>();
    expectTypeOf(grid.map<number>('S.1', 'f', [1, 2], { ordered: false })).toEqualTypeOf<MapResults<MapEntry<number>>>();
    expectTypeOf(grid.map<number>('S.1', 'f', [1, 2], { onError: 'yield' })).toEqualTypeOf<MapResults<number | MapFailure>>();
    expectTypeOf(grid.map<number>('S.1', 'f', [1, 2], { ordered: false, onError: 'yield' })).toEqualTypeOf<MapResults<MapEntry<number> | MapFailure>>();
    expectTypeOf(grid.map('S.1', 'f', [1]).toArray()).toEqualTypeOf<Promise<unknown[]>>();
  });

  it('takes any iterable or async iterable', () => {
    async function* lazy(): AsyncGenerator<number> {
      yield 1;
    }
    expectTypeOf(grid.map('S.1', 'f', new Set([1]))).toEqualTypeOf<MapResults<unknown>>();
    expectTypeOf(grid.map('S.1', 'f', lazy())).toEqualTypeOf<MapResults<unknown>>();
    // @ts-expect-error a number is not iterable
    grid.map('S.1', 'f', 42);
    // @ts-expect-error onError is 'throw' or 'yield'
    grid.map('S.1', 'f', [1], { onError: 'ignore' });
  });

  it('types grid.call as a Result', () => {
    expectTypeOf(grid.call<string>('S.1', 'f', [1], { timeout: 100, acquireTimeout: 50 })).toEqualTypeOf<Result<string>>();
  });
});
