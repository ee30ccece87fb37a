import { describe, expect, it } from 'vitest';
import { createLattice, energy, magnetization, metropolis, sweep } from './ising.js';
import { Rng } from './rng.js';

describe('Ising lattice', () => {
  it('has energy -2L² and magnetisation L² when all spins are up', () => {
    for (const L of [2, 3, 8, 16]) {
      const lattice = createLattice(L, 'up');
      expect(energy(lattice)).toBe(-2 * L * L);
      expect(magnetization(lattice)).toBe(L * L);
    }
  });

  it('has energy +2L² and magnetisation 0 as a checkerboard', () => {
    const L = 6;
    const lattice = createLattice(L, 'up');
    for (let y = 0; y < L; y++) for (let x = 0; x < L; x++) lattice.spins[y * L + x] = (x + y) % 2 === 0 ? 1 : -1;
    expect(energy(lattice)).toBe(2 * L * L);
    expect(magnetization(lattice)).toBe(0);
  });

  it('reports a zero energy as +0, which survives any codec', () => {
    const L = 4;
    const lattice = createLattice(L, 'up');
    for (let i = 0; i < L * L; i++) lattice.spins[i] = i % 2 === 0 ? 1 : -1; // columns alternate
    expect(Object.is(energy(lattice), 0)).toBe(true);
  });

  it('counts bonds across the periodic boundary', () => {
    const lattice = createLattice(4, 'up');
    lattice.spins[0] = -1; // four broken bonds, two of them across the edges
    expect(energy(lattice)).toBe(-32 + 8);
  });

  it('starts a random lattice from the seed, with both spins present', () => {
    const a = createLattice(16, 'random', new Rng(3));
    expect(a.spins).toEqual(createLattice(16, 'random', new Rng(3)).spins);
    expect(a.spins).not.toEqual(createLattice(16, 'random', new Rng(4)).spins);
    expect(Math.abs(magnetization(a))).toBeLessThan(256);
  });

  it('flips every spin in one sweep at infinite temperature', () => {
    const lattice = createLattice(8, 'random', new Rng(1));
    const before = lattice.spins.slice();
    sweep(lattice, Number.POSITIVE_INFINITY, new Rng(2));
    expect(Array.from(lattice.spins)).toEqual(Array.from(before, (s) => -s));
  });

  it('never leaves the ground state at a very low temperature', () => {
    const lattice = createLattice(8, 'up');
    metropolis(lattice, 0.01, 20, new Rng(2));
    expect(energy(lattice)).toBe(-128);
  });

  it('returns the change in energy it caused', () => {
    const lattice = createLattice(12, 'random', new Rng(8));
    const before = energy(lattice);
    const delta = metropolis(lattice, 2.3, 5, new Rng(9));
    expect(energy(lattice)).toBe(before + delta);
  });

  it('is deterministic: same lattice and stream, same result', () => {
    const run = (): Int8Array => {
      const lattice = createLattice(10, 'random', new Rng(11));
      metropolis(lattice, 2.0, 10, new Rng(12));
      return lattice.spins;
    };
    expect(run()).toEqual(run());
  });

  it('orders at low temperature and disorders at high temperature', () => {
    const cold = createLattice(16, 'random', new Rng(20));
    metropolis(cold, 1.0, 300, new Rng(21));
    expect(energy(cold) / 256).toBeLessThan(-1.6);
    const hot = createLattice(16, 'up');
    metropolis(hot, 10, 100, new Rng(22));
    expect(Math.abs(magnetization(hot)) / 256).toBeLessThan(0.3);
  });

  it('refuses a non-positive temperature and a bad size', () => {
    expect(() => sweep(createLattice(4, 'up'), 0, new Rng(1))).toThrow(RangeError);
    expect(() => sweep(createLattice(4, 'up'), -1, new Rng(1))).toThrow(RangeError);
    expect(() => createLattice(1, 'up')).toThrow(RangeError);
    expect(() => createLattice(2.5, 'up')).toThrow(RangeError);
  });
});
