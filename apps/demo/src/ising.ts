import type { Rng } from './rng.js';

/**
 * A square L×L lattice of Ising spins (+1 or −1) with periodic boundaries, stored row by
 * row: spin (x, y) is `spins[y * size + x]`. The model has coupling J = 1 and no field:
 * E = −Σ⟨ij⟩ sᵢsⱼ over nearest-neighbour pairs, each pair counted once.
 */
export interface Lattice {
  /** L, the number of spins along each side. */
  readonly size: number;
  /** The L² spins, each +1 or −1. */
  readonly spins: Int8Array;
}

/** How a new lattice starts: all spins up (the ground state) or each spin random. */
export type LatticeStart = 'up' | 'random';

/** The smallest lattice side accepted; below it periodic neighbours coincide. */
export const MIN_SIZE = 2;

/**
 * Checks a lattice side.
 *
 * @throws RangeError unless `size` is an integer of at least {@link MIN_SIZE}
 */
export function checkSize(size: number): number {
  if (!Number.isInteger(size) || size < MIN_SIZE) {
    throw new RangeError(`lattice size must be an integer of at least ${MIN_SIZE}, got ${String(size)}`);
  }
  return size;
}

/**
 * Checks a temperature.
 *
 * @throws RangeError unless `temperature` is positive (`Infinity` is allowed: every move is accepted)
 */
export function checkTemperature(temperature: number): number {
  if (typeof temperature !== 'number' || !(temperature > 0)) {
    throw new RangeError(`temperature must be a positive number, got ${String(temperature)}`);
  }
  return temperature;
}

/**
 * Makes an L×L lattice.
 *
 * @param start - `'up'`: every spin +1; `'random'`: each spin ±1 with equal odds, drawn from `rng`
 * @throws RangeError when `size` is invalid; TypeError when a random start has no `rng`
 */
export function createLattice(size: number, start: LatticeStart, rng?: Rng): Lattice {
  checkSize(size);
  const spins = new Int8Array(size * size);
  if (start === 'up') {
    spins.fill(1);
  } else {
    if (!rng) throw new TypeError('a random lattice needs an Rng');
    for (let i = 0; i < spins.length; i++) spins[i] = rng.nextUint32() < 0x80000000 ? 1 : -1;
  }
  return { size, spins };
}

/** The lattice's energy, −Σ⟨ij⟩ sᵢsⱼ; −2L² when all spins are aligned. */
export function energy(lattice: Lattice): number {
  const { size: L, spins } = lattice;
  let sum = 0;
  for (let y = 0; y < L; y++) {
    const row = y * L;
    const down = ((y + 1) % L) * L;
    for (let x = 0; x < L; x++) {
      const s = spins[row + x]!;
      sum += s * (spins[row + ((x + 1) % L)]! + spins[down + x]!);
    }
  }
  // 0 − sum, not −sum: an energy of zero must be +0, which every codec carries as 0
  return 0 - sum;
}

/** The lattice's magnetisation, Σ sᵢ (from −L² to L²). */
export function magnetization(lattice: Lattice): number {
  let sum = 0;
  for (const s of lattice.spins) sum += s;
  return sum;
}

/**
 * One Metropolis sweep at temperature T: every site is visited once, in row order, and
 * its spin flipped with probability min(1, exp(−ΔE/T)). Random numbers are drawn only
 * for moves that raise the energy, so the stream used depends on the lattice.
 *
 * @returns the change in energy caused by the sweep
 * @throws RangeError when the temperature is not positive
 */
export function sweep(lattice: Lattice, temperature: number, rng: Rng): number {
  return metropolis(lattice, temperature, 1, rng);
}

/**
 * `count` Metropolis {@link sweep}s at temperature T.
 *
 * @returns the change in energy over all sweeps
 * @throws RangeError when the temperature is not positive or `count` is not a non-negative integer
 */
export function metropolis(lattice: Lattice, temperature: number, count: number, rng: Rng): number {
  checkTemperature(temperature);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`sweep count must be a non-negative integer, got ${String(count)}`);
  const { size: L, spins } = lattice;
  // ΔE of a flip is 2·s·(sum of the 4 neighbours): one of −8, −4, 0, 4, 8
  const accept4 = Math.exp(-4 / temperature);
  const accept8 = Math.exp(-8 / temperature);
  let delta = 0;
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < L; y++) {
      const row = y * L;
      const up = ((y + L - 1) % L) * L;
      const down = ((y + 1) % L) * L;
      for (let x = 0; x < L; x++) {
        const i = row + x;
        const s = spins[i]!;
        const neighbours = spins[row + ((x + L - 1) % L)]! + spins[row + ((x + 1) % L)]! + spins[up + x]! + spins[down + x]!;
        const dE = 2 * s * neighbours;
        if (dE <= 0 || rng.next() < (dE === 4 ? accept4 : accept8)) {
          spins[i] = -s;
          delta += dE;
        }
      }
    }
  }
  return delta;
}
