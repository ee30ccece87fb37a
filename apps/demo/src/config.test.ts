import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, temperatureLadder, validateConfig } from './config.js';

describe('temperatureLadder', () => {
  it('is geometric, lowest first, and ends exactly at tmin and tmax', () => {
    const ladder = temperatureLadder(1, 8, 4);
    expect(ladder[0]).toBe(1);
    expect(ladder[3]).toBe(8);
    expect(ladder[1]).toBeCloseTo(2, 12);
    expect(ladder[2]).toBeCloseTo(4, 12);
  });

  it('refuses fewer than two temperatures and bad bounds', () => {
    expect(() => temperatureLadder(1, 2, 1)).toThrow(RangeError);
    expect(() => temperatureLadder(0, 2, 4)).toThrow(RangeError);
    expect(() => temperatureLadder(3, 2, 4)).toThrow(RangeError);
  });
});

describe('validateConfig', () => {
  it('accepts the defaults', () => {
    expect(validateConfig(DEFAULT_CONFIG)).toBe(DEFAULT_CONFIG);
  });

  it('names the field that is out of range', () => {
    expect(() => validateConfig({ ...DEFAULT_CONFIG, replicas: 1 })).toThrow(/replicas/);
    expect(() => validateConfig({ ...DEFAULT_CONFIG, rounds: 0 })).toThrow(/rounds/);
    expect(() => validateConfig({ ...DEFAULT_CONFIG, sweeps: 1.5 })).toThrow(/sweeps/);
    expect(() => validateConfig({ ...DEFAULT_CONFIG, size: 1 })).toThrow(/size/);
    expect(() => validateConfig({ ...DEFAULT_CONFIG, tmin: 0 })).toThrow(/tmin/);
    expect(() => validateConfig({ ...DEFAULT_CONFIG, tmax: 1 })).toThrow(/tmax/);
    expect(() => validateConfig({ ...DEFAULT_CONFIG, seed: -3 })).toThrow(/seed/);
  });
});
