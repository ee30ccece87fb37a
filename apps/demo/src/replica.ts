import { type LatticeStart, checkSize, createLattice, energy, magnetization, metropolis } from './ising.js';
import { Rng, type RngState, checkSeed } from './rng.js';

/**
 * URL of this module: what `registerClass(Replica, REPLICA_MODULE_URL)` gives the grid,
 * so that every host imports the class from here. When running from `dist/` it names
 * `dist/replica.js`, which plain `node` can import.
 */
export const REPLICA_MODULE_URL: string = import.meta.url;

/** How {@link Replica.init} sets a replica up. */
export interface ReplicaSetup {
  /** The replica's number, from 0; echoed in every {@link Sample}. */
  readonly index: number;
  /** Seed of the replica's own random stream (from 0 to 2³² − 1). */
  readonly seed: number;
  /** L, the lattice side. */
  readonly size: number;
  /** How the lattice starts. @defaultValue `'random'` */
  readonly start?: LatticeStart;
}

/** What a replica reports after sampling: plain numbers, cheap to send. */
export interface Sample {
  /** The replica that produced it (its {@link ReplicaSetup.index}). */
  readonly replica: number;
  /** The lattice's energy. */
  readonly energy: number;
  /** The lattice's magnetisation. */
  readonly magnetization: number;
}

/** A full copy of a replica's state, from {@link Replica.state}. */
export interface ReplicaState extends Sample {
  /** L, the lattice side. */
  readonly size: number;
  /** A copy of the spins, row by row. */
  readonly spins: Int8Array;
  /** The replica's random stream, where it stands. */
  readonly rng: RngState;
  /** Sweeps done since {@link Replica.init}. */
  readonly sweeps: number;
}

/**
 * One replica of a replica-exchange run: an Ising lattice and its own random stream.
 * This is the class the demo publishes on a grid; each server holds one replica.
 *
 * A replica knows nothing of temperature ladders or swaps: the controller tells it which
 * temperature to sample at, and exchanges temperatures (never lattices) between replicas.
 * Its results depend only on its setup and the sequence of calls it receives, so the same
 * calls give the same numbers on a grid server and in this process.
 *
 * All state is own enumerable data (numbers, an `Int8Array`, a tuple of numbers), so a
 * copy revived from it, as Hostgrid revives published instances on its hosts (the
 * constructor is not run there), behaves exactly as the original.
 *
 * @example
 * ```ts
 * const replica = new Replica();
 * replica.init({ index: 0, seed: 7, size: 16 });
 * const { energy } = replica.sample(2.27, 10);
 * ```
 */
export class Replica {
  /** The replica's number; −1 until {@link Replica.init}. */
  index = -1;
  /** L, the lattice side; 0 until {@link Replica.init}. */
  size = 0;
  /** The spins, row by row. */
  spins: Int8Array = new Int8Array(0);
  /** The replica's random stream, as plain numbers (see {@link Rng.fromState}). */
  rng: RngState = [1, 0, 0, 0];
  /** Sweeps done since {@link Replica.init}. */
  sweeps = 0;

  /**
   * Sets the replica up: a new lattice, drawn from the replica's own seed when the start is
   * random, and a new random stream. Calling it again starts over.
   *
   * @returns the starting lattice's {@link Sample}
   * @throws RangeError when the index, seed or size is invalid
   */
  init(setup: ReplicaSetup): Sample {
    const { index, seed, size, start = 'random' } = setup;
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`replica index must be a non-negative integer, got ${String(index)}`);
    checkSeed(seed);
    checkSize(size);
    if (start !== 'up' && start !== 'random') throw new RangeError(`lattice start must be "up" or "random", got ${String(start)}`);
    const rng = new Rng(seed);
    this.index = index;
    this.size = size;
    this.spins = createLattice(size, start, rng).spins;
    this.rng = rng.state();
    this.sweeps = 0;
    return observe(this);
  }

  /**
   * Runs `sweeps` Metropolis sweeps at `temperature`, then reports the lattice.
   *
   * @returns the {@link Sample} after the sweeps
   * @throws Error when the replica was not set up; RangeError when an argument is invalid
   */
  sample(temperature: number, sweeps: number): Sample {
    assertReady(this, 'sample');
    const rng = Rng.fromState(this.rng);
    metropolis({ size: this.size, spins: this.spins }, temperature, sweeps, rng);
    this.rng = rng.state();
    this.sweeps += sweeps;
    return observe(this);
  }

  /**
   * A copy of the replica's whole state.
   *
   * @throws Error when the replica was not set up
   */
  state(): ReplicaState {
    assertReady(this, 'state');
    return { ...observe(this), size: this.size, spins: this.spins.slice(), rng: [...this.rng], sweeps: this.sweeps };
  }

}

// Helpers stay outside the class: every prototype method is remotely callable.
function observe(replica: Replica): Sample {
  const lattice = { size: replica.size, spins: replica.spins };
  return { replica: replica.index, energy: energy(lattice), magnetization: magnetization(lattice) };
}

function assertReady(replica: Replica, method: string): void {
  if (replica.index < 0) throw new Error(`Replica.${method} called before Replica.init`);
}
