import { describe, expectTypeOf, it } from 'vitest';
import { callOptions } from './call-options.js';
import type { ServiceProxy } from './proxy.js';
import type { Result } from './result.js';

class Replica {
  temperature = 1;
  step(sweeps: number): number {
    return sweeps;
  }
  async energy(): Promise<{ e: number }> {
    return { e: 0 };
  }
  get size(): number {
    return 0;
  }
}

describe('ServiceProxy typing', () => {
  it('turns each method into one returning a Result of its awaited value', () => {
    const proxy = {} as ServiceProxy<Replica>;
    expectTypeOf(proxy.step(10)).toEqualTypeOf<Result<number>>();
    expectTypeOf(proxy.energy()).toEqualTypeOf<Result<{ e: number }>>();
  });

  it('takes call options as an extra last argument', () => {
    const proxy = {} as ServiceProxy<Replica>;
    expectTypeOf(proxy.step(10, callOptions({ signal: AbortSignal.timeout(1) }))).toEqualTypeOf<Result<number>>();
    expectTypeOf(proxy.energy(callOptions({}))).toEqualTypeOf<Result<{ e: number }>>();
    // @ts-expect-error options go last, after every argument
    void proxy.step(callOptions({}), 10);
  });

  it('leaves out fields and getters, and checks arguments', () => {
    const proxy = {} as ServiceProxy<Replica>;
    // @ts-expect-error fields are not methods
    void proxy.temperature;
    // @ts-expect-error wrong argument type
    void proxy.step('ten');
    expectTypeOf(proxy).toMatchTypeOf<AsyncDisposable>();
  });
});
