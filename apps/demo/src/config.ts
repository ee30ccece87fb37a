import { checkSize } from './ising.js';
import { checkSeed } from './rng.js';

/** Everything that determines a replica-exchange run; the same config gives the same result. */
export interface ExchangeConfig {
  /** Number of replicas, which is also the number of temperatures (and of grid servers). */
  readonly replicas: number;
  /** Exchange rounds: each samples every replica, then attempts swaps. */
  readonly rounds: number;
  /** Metropolis sweeps each replica runs per round. */
  readonly sweeps: number;
  /** L, the lattice side. */
  readonly size: number;
  /** Lowest temperature of the ladder. */
  readonly tmin: number;
  /** Highest temperature of the ladder. */
  readonly tmax: number;
  /** Master seed (0 to 2³² − 1): every random stream of the run is derived from it. */
  readonly seed: number;
}

/**
 * The defaults of the CLI: 4 replicas of a 16×16 lattice on a ladder around the critical
 * temperature (Tc ≈ 2.269), where swaps between neighbours are accepted 20–35% of the time.
 */
export const DEFAULT_CONFIG: ExchangeConfig = Object.freeze({
  replicas: 4,
  rounds: 50,
  sweeps: 10,
  size: 16,
  tmin: 2.0,
  tmax: 2.6,
  seed: 1,
});

/**
 * The most replicas a run may have: each one is a worker process somewhere.
 */
export const MAX_REPLICAS = 256;

/**
 * Checks a config and returns it.
 *
 * @throws RangeError with a message naming the field when a value is out of range
 */
export function validateConfig(config: ExchangeConfig): ExchangeConfig {
  const { replicas, rounds, sweeps, tmin, tmax } = config;
  if (!Number.isInteger(replicas) || replicas < 2 || replicas > MAX_REPLICAS) {
    throw new RangeError(`replicas must be an integer from 2 to ${MAX_REPLICAS}, got ${String(replicas)}`);
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a positive integer, got ${String(rounds)}`);
  if (!Number.isInteger(sweeps) || sweeps < 1) throw new RangeError(`sweeps must be a positive integer, got ${String(sweeps)}`);
  checkSize(config.size);
  if (!Number.isFinite(tmin) || tmin <= 0) throw new RangeError(`tmin must be a positive number, got ${String(tmin)}`);
  if (!Number.isFinite(tmax) || tmax < tmin) throw new RangeError(`tmax must be a number no lower than tmin (${tmin}), got ${String(tmax)}`);
  checkSeed(config.seed);
  return config;
}

/**
 * The geometric temperature ladder Tₖ = tmin·(tmax/tmin)^(k/(n−1)), k = 0 … n−1, lowest
 * first. Neighbouring temperatures then have the same ratio, which keeps swap acceptance
 * roughly even along the ladder when the heat capacity varies slowly.
 *
 * @throws RangeError when `count` is below 2 or the bounds are invalid
 */
export function temperatureLadder(tmin: number, tmax: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`a ladder needs at least 2 temperatures, got ${String(count)}`);
  if (!Number.isFinite(tmin) || tmin <= 0 || !Number.isFinite(tmax) || tmax < tmin) {
    throw new RangeError(`a ladder needs 0 < tmin <= tmax, got ${String(tmin)} and ${String(tmax)}`);
  }
  const ratio = tmax / tmin;
  return Array.from({ length: count }, (_, k) => (k === count - 1 ? tmax : tmin * ratio ** (k / (count - 1))));
}
