import { describe, expect, it } from 'vitest';
import { decode, encode, isSendable, UnsendableValueError } from './codec.js';
import { InvalidMessageError } from './validate.js';

const roundTrip = <T>(value: T): T => decode(encode(value)) as T;

describe('codec', () => {
  it('carries the values scientific code passes around', () => {
    const value = {
      n: 1.5,
      i: -7,
      s: 'héllo',
      nested: { a: [1, 2, { b: [3] }] },
      map: new Map<unknown, unknown>([[1, 'one'], ['k', { z: 1 }]]),
      set: new Set([1, 'two']),
      date: new Date(1_700_000_000_000),
      big: 12345678901234567890123n,
      negBig: -5n,
      f64: new Float64Array([1.5, -2.5, Number.NaN]),
      i32: new Int32Array([1, -2]),
      u8: new Uint8Array([0, 255]),
      undef: undefined,
      nul: null,
    };
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.nested).not.toBeInstanceOf(Map);
    expect(back.set).toBeInstanceOf(Set);
    expect(back.f64).toBeInstanceOf(Float64Array);
    expect(back.i32).toBeInstanceOf(Int32Array);
    expect('undef' in back).toBe(true);
  });

  it('sends a typed array as its bytes, not element by element', () => {
    const f64 = new Float64Array(1024).fill(Math.PI);
    expect(encode(f64).byteLength).toBeLessThan(f64.byteLength + 16);
  });

  it('refuses functions and symbols with UnsendableValueError', () => {
    expect(() => encode({ f: () => 1 })).toThrow(UnsendableValueError);
    expect(() => encode([Symbol('s')])).toThrow(UnsendableValueError);
    expect(() => encode({ o: { m() {} } })).toThrow(/function/);
    expect(isSendable({ f: () => 1 })).toBe(false);
    expect(isSendable({ ok: [1] })).toBe(true);
  });

  it('keeps earlier encodings intact when it encodes again', () => {
    const a = encode({ a: 1 });
    const copy = Uint8Array.from(a);
    encode({ b: 'x'.repeat(1000) });
    expect(Uint8Array.from(a)).toEqual(copy);
  });

  it('never lets a __proto__ key reach Object.prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as object;
    const back = roundTrip(hostile) as Record<string, unknown>;
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back['x']).toBe(1);
  });

  it('rejects truncated bytes and trailing bytes with InvalidMessageError', () => {
    expect(() => decode(new Uint8Array([1, 2]))).toThrow(InvalidMessageError);
    expect(() => decode(new Uint8Array([0xdd, 0xff, 0xff]))).toThrow(InvalidMessageError);
  });
});

describe('toWireError', () => {
  it('carries name, message, stack, sendable own properties and the cause', async () => {
    const { toWireError } = await import('./wire-error.js');
    const error = Object.assign(new RangeError('bad', { cause: new Error('under') }), { code: 'E1', fn: () => 1 });
    Object.defineProperty(error, '__proto__', { value: { hostile: true }, enumerable: true });
    const wire = toWireError(error, isSendable);
    expect(wire).toMatchObject({ name: 'RangeError', message: 'bad', data: { code: 'E1' }, cause: { name: 'Error', message: 'under' } });
    expect(wire.stack).toMatch(/RangeError: bad/);
    expect(Object.getPrototypeOf(wire.data)).toBe(Object.prototype);
    expect(Object.keys(wire.data!)).toEqual(['code']);
    expect(toWireError('a string')).toEqual({ name: 'NonErrorThrown', message: 'a string' });
  });
});
