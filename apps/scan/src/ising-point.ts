import { registerClass } from '@hostgrid/core/register';

/** One point of the scan: a temperature, and how long to sample there. */
export interface ScanPoint {
  readonly t: number;
  /** The lattice is `size` × `size`, periodic. */
  readonly size: number;
  readonly sweeps: number;
  readonly seed: number;
}

/** What one point measured: the mean energy and |magnetisation| per spin over the second half of the sweeps. */
export interface PointResult {
  readonly t: number;
  readonly energy: number;
  readonly magnetisation: number;
}

/** The scan's service: a Metropolis run of the 2D Ising model per call, from a fresh lattice (no state between calls). */
export class IsingPoint {
  /** Samples one temperature. */
  measure({ t, size, sweeps, seed }: ScanPoint): PointResult {
    let state = seed >>> 0 || 1;
    const random = (): number => {
      // xorshift32: a stream of its own per point, so results do not depend on which server ran it.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    const n = size * size;
    const spins = new Int8Array(n).fill(1);
    const at = (x: number, y: number): number => spins[((y + size) % size) * size + ((x + size) % size)]!;
    let energy = 0;
    let magnetisation = 0;
    let samples = 0;
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (let k = 0; k < n; k++) {
        const x = Math.floor(random() * size);
        const y = Math.floor(random() * size);
        const i = y * size + x;
        const delta = 2 * spins[i]! * (at(x + 1, y) + at(x - 1, y) + at(x, y + 1) + at(x, y - 1));
        if (delta <= 0 || random() < Math.exp(-delta / t)) spins[i] = -spins[i]! as 1 | -1;
      }
      if (sweep < sweeps / 2) continue;
      let e = 0;
      let m = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          e -= at(x, y) * (at(x + 1, y) + at(x, y + 1));
          m += at(x, y);
        }
      }
      energy += e / n;
      magnetisation += Math.abs(m) / n;
      samples++;
    }
    return { t, energy: energy / samples, magnetisation: magnetisation / samples };
  }
}

registerClass(IsingPoint, import.meta.url);
