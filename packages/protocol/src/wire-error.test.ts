import { describe, expect, it } from 'vitest';
import { encode, isSendable } from './codec.js';
import { toWireError } from './wire-error.js';

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function throwingGetter(key: string): Error {
  const error = new Error(`its ${key} throws`);
  Object.defineProperty(error, key, {
    enumerable: key === 'code',
    get() {
      throw new Error(`${key} getter`);
    },
  });
  return error;
}

class CyclicError extends Error {
  constructor() {
    super('cyclic');
    this.name = 'CyclicError';
    this.cause = this;
  }
}

const trapsThrow = new Proxy(new Error('trapped'), {
  get() {
    throw new Error('get trap');
  },
  getPrototypeOf() {
    throw new Error('getPrototypeOf trap');
  },
});

const hostile: ReadonlyArray<readonly [string, () => unknown]> = [
  ['a revoked Proxy', revoked],
  ['an Error whose name getter throws', () => throwingGetter('name')],
  ['an Error whose message getter throws', () => throwingGetter('message')],
  ['an Error whose stack getter throws', () => throwingGetter('stack')],
  ['an Error whose own enumerable getter throws', () => throwingGetter('code')],
  ['an object whose toString throws', () => ({ toString: () => { throw new Error('toString'); } })],
  ['an object whose Symbol.toPrimitive throws', () => ({ [Symbol.toPrimitive]: () => { throw revoked(); } })],
  ['an Error whose cause is a revoked Proxy', () => new Error('outer', { cause: revoked() })],
  ['a Proxy whose traps throw', () => trapsThrow],
  ['a Symbol', () => Symbol('thrown')],
  ['null', () => null],
  ['undefined', () => undefined],
  ['an Error subclass with a cyclic cause', () => new CyclicError()],
  ['a sendability check that throws', () => Object.assign(new Error('data'), { code: 'E1' })],
];

describe('toWireError on values that cannot be inspected', () => {
  it.each(hostile)('turns %s into a sendable WireError without throwing', (_what, make) => {
    const wire = toWireError(make(), () => {
      throw revoked();
    });
    expect(typeof wire.name).toBe('string');
    expect(typeof wire.message).toBe('string');
    expect(() => encode({ type: 'failure', id: 1, kind: 'call', error: wire })).not.toThrow();
  });

  it('keeps what can be read of an Error whose getters throw', () => {
    expect(toWireError(throwingGetter('name'))).toMatchObject({ name: 'Error', message: 'its name throws' });
    expect(toWireError(throwingGetter('message'))).toMatchObject({ name: 'Error', message: '(its message cannot be read: message getter)' });
    const noStack = toWireError(throwingGetter('stack'));
    expect(noStack).toMatchObject({ name: 'Error', message: 'its stack throws' });
    expect(noStack.stack).toBeUndefined();
    expect(toWireError(throwingGetter('code'), isSendable).data).toBeUndefined();
  });

  it('says what it can of values that are not errors', () => {
    expect(toWireError(revoked())).toEqual({ name: 'NonErrorThrown', message: expect.stringMatching(/^a value that cannot be inspected \(.*revoked/) });
    expect(toWireError(trapsThrow)).toEqual({ name: 'NonErrorThrown', message: 'a value that cannot be inspected (getPrototypeOf trap)' });
    expect(toWireError({ toString: () => { throw new Error('no'); } })).toEqual({ name: 'NonErrorThrown', message: '[object Object] (its conversion to a string threw)' });
    expect(toWireError(Symbol('thrown'))).toEqual({ name: 'NonErrorThrown', message: 'Symbol(thrown)' });
    expect(toWireError(null)).toEqual({ name: 'NonErrorThrown', message: 'null' });
    expect(toWireError(undefined)).toEqual({ name: 'NonErrorThrown', message: 'undefined' });
  });

  it('follows a cyclic cause 4 levels deep, then stops', () => {
    let wire = toWireError(new CyclicError());
    let depth = 0;
    while (wire.cause !== undefined) {
      expect(wire).toMatchObject({ name: 'CyclicError', message: 'cyclic' });
      wire = wire.cause;
      depth++;
    }
    expect(depth).toBe(4);
  });
});
