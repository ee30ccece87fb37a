import { describe, expect, it } from 'vitest';
import { generateToken, resolveOptions } from './options.js';

const base = { listen: { host: '127.0.0.1', port: 0 }, token: generateToken() };

describe('ws transport options', () => {
  it.each(['authTimeoutMs', 'joinTimeoutMs'] as const)('refuses a negative, NaN or fractional %s with a RangeError naming it', (name) => {
    for (const value of [-1, Number.NaN, 1.5]) {
      expect(() => resolveOptions({ ...base, [name]: value })).toThrow(new RangeError(`[hostgrid] wsTransport: "${name}" must be a positive integer, got ${value}`));
    }
    expect(() => resolveOptions({ ...base, [name]: '5' as unknown as number })).toThrow(TypeError);
    expect(resolveOptions({ ...base, [name]: 250 })[name]).toBe(250);
  });
});
