import { type ExchangeConfig, temperatureLadder, validateConfig } from './config.js';
import type { ReplicaSetup, Sample } from './replica.js';
import { Rng, deriveSeed } from './rng.js';

/**
 * The replicas of a run, wherever they live: all the exchange driver needs. Replica `i`
 * is set up by `setups[i]`, and answers in position `i` of every returned array.
 * {@link runExchange} drives a grid and plain in-process replicas through this one
 * interface, which is why both give the same result.
 */
export interface Ensemble {
  /** Sets replica `i` up with `setups[i]`; resolves to their starting samples, in replica order. */
  init(setups: readonly ReplicaSetup[]): Promise<readonly Sample[]>;
  /** Replica `i` runs `sweeps` sweeps at `temperatures[i]`; resolves to the samples, in replica order. */
  sample(temperatures: readonly number[], sweeps: number): Promise<readonly Sample[]>;
}

/** What {@link runExchange} reports after each round. */
export interface RoundProgress {
  /** Rounds done so far (1 after the first). */
  readonly round: number;
  /** Rounds in the run. */
  readonly rounds: number;
  /** Swaps accepted so far, over all pairs. */
  readonly accepted: number;
  /** Swaps attempted so far, over all pairs. */
  readonly attempted: number;
}

/** Options of {@link runExchange} that do not change its result. */
export interface ExchangeOptions {
  /** Called once the replicas are set up, just before the first round. */
  readonly onStart?: () => void;
  /** Called after every round, e.g. to print progress. */
  readonly onRound?: (progress: RoundProgress) => void;
}

/**
 * The result of a replica-exchange run: plain numbers and arrays, ready for
 * `JSON.stringify`. Temperature index k runs over {@link ExchangeResult.temperatures},
 * lowest first; pair k is the neighbouring temperatures k and k + 1.
 */
export interface ExchangeResult {
  /** The config that produced this result. */
  readonly config: ExchangeConfig;
  /** The temperature ladder, lowest first. */
  readonly temperatures: number[];
  /** Rounds run. */
  readonly rounds: number;
  /** Spins per lattice (L²), to turn totals into per-spin values. */
  readonly spins: number;
  /** `[k][round]`: energy sampled at temperature k in each round (before that round's swaps). */
  readonly energiesByTemperature: number[][];
  /** `[k][round]`: magnetisation sampled at temperature k in each round. */
  readonly magnetizationsByTemperature: number[][];
  /** `[k]`: mean energy per spin at temperature k over all rounds. */
  readonly meanEnergyPerSpin: number[];
  /** `[k]`: mean |magnetisation| per spin at temperature k over all rounds. */
  readonly meanAbsMagnetizationPerSpin: number[];
  /** `[k]`: swaps attempted between temperatures k and k + 1. */
  readonly swapAttempts: number[];
  /** `[k]`: swaps accepted between temperatures k and k + 1. */
  readonly swapAccepted: number[];
  /** `[k]`: accepted / attempted for pair k (0 when never attempted). */
  readonly swapAcceptance: number[];
  /** `[round]`: the pairs whose swap was accepted in that round. */
  readonly acceptedPairsByRound: number[][];
  /** `[k]`: energy of the replica at temperature k at the end of the run. */
  readonly finalEnergies: number[];
  /** `[k]`: which replica holds temperature k at the end of the run. */
  readonly finalReplicaAtTemperature: number[];
}

/** Random stream of the controller's swap decisions; replica i uses stream i + 1. */
const EXCHANGE_STREAM = 0;

/**
 * The setups of a run's replicas: replica i gets its own seed derived from the master
 * seed, and a random starting lattice.
 */
export function replicaSetups(config: ExchangeConfig): ReplicaSetup[] {
  return Array.from({ length: config.replicas }, (_, index) => ({
    index,
    seed: deriveSeed(config.seed, index + 1),
    size: config.size,
    start: 'random' as const,
  }));
}

function checkSamples(samples: readonly Sample[], replicas: number, step: string): void {
  if (samples.length !== replicas) {
    throw new Error(`${step}: expected ${replicas} samples, one per replica, got ${samples.length}`);
  }
  samples.forEach((sample, i) => {
    if (sample.replica !== i) {
      throw new Error(`${step}: answer ${i} came from replica ${String(sample.replica)}; replicas and servers must pair one to one, in order`);
    }
  });
}

/** Only the fields of {@link ExchangeConfig}, whatever else the object carries. */
function pickConfig(config: ExchangeConfig): ExchangeConfig {
  const { replicas, rounds, sweeps, size, tmin, tmax, seed } = config;
  return { replicas, rounds, sweeps, size, tmin, tmax, seed };
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Runs replica exchange (parallel tempering) over an {@link Ensemble}.
 *
 * Replica i starts at temperature i. Each round every replica runs `sweeps` Metropolis
 * sweeps at its current temperature; then swaps are attempted between neighbouring
 * temperatures, pairs (0,1), (2,3), … in even rounds and (1,2), (3,4), … in odd ones.
 * A swap of the replicas at Tₖ and Tₖ₊₁ is accepted with probability
 * min(1, exp((1/Tₖ − 1/Tₖ₊₁)(Eₖ − Eₖ₊₁))), drawn from the controller's own stream, and
 * exchanges the two replicas' temperatures, never their lattices.
 *
 * The result depends only on the config: the replicas' streams and the controller's are
 * all derived from `config.seed`.
 *
 * @throws RangeError when the config is invalid; Error when the ensemble answers for the
 *   wrong replicas; whatever the ensemble rejects with
 */
export async function runExchange(ensemble: Ensemble, config: ExchangeConfig, options: ExchangeOptions = {}): Promise<ExchangeResult> {
  validateConfig(config);
  const n = config.replicas;
  const temperatures = temperatureLadder(config.tmin, config.tmax, n);
  const betas = temperatures.map((t) => 1 / t);
  const spins = config.size * config.size;

  checkSamples(await ensemble.init(replicaSetups(config)), n, 'init');
  options.onStart?.();

  const replicaAt = Array.from({ length: n }, (_, k) => k);
  const temperatureOf = Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(deriveSeed(config.seed, EXCHANGE_STREAM));
  const energiesByTemperature: number[][] = temperatures.map(() => []);
  const magnetizationsByTemperature: number[][] = temperatures.map(() => []);
  const swapAttempts = new Array<number>(n - 1).fill(0);
  const swapAccepted = new Array<number>(n - 1).fill(0);
  const acceptedPairsByRound: number[][] = [];
  let energies: number[] = [];

  for (let round = 0; round < config.rounds; round++) {
    const samples = await ensemble.sample(
      temperatureOf.map((k) => temperatures[k]!),
      config.sweeps,
    );
    checkSamples(samples, n, `round ${round + 1}`);
    energies = samples.map((s) => s.energy);
    for (let k = 0; k < n; k++) {
      const sample = samples[replicaAt[k]!]!;
      energiesByTemperature[k]!.push(sample.energy);
      magnetizationsByTemperature[k]!.push(sample.magnetization);
    }

    const accepted: number[] = [];
    for (let k = round % 2; k + 1 < n; k += 2) {
      const a = replicaAt[k]!;
      const b = replicaAt[k + 1]!;
      const delta = (betas[k]! - betas[k + 1]!) * (energies[a]! - energies[b]!);
      swapAttempts[k]!++;
      if (delta >= 0 || rng.next() < Math.exp(delta)) {
        replicaAt[k] = b;
        replicaAt[k + 1] = a;
        temperatureOf[a] = k + 1;
        temperatureOf[b] = k;
        swapAccepted[k]!++;
        accepted.push(k);
      }
    }
    acceptedPairsByRound.push(accepted);
    options.onRound?.({
      round: round + 1,
      rounds: config.rounds,
      accepted: swapAccepted.reduce((x, y) => x + y, 0),
      attempted: swapAttempts.reduce((x, y) => x + y, 0),
    });
  }

  return {
    config: pickConfig(config),
    temperatures,
    rounds: config.rounds,
    spins,
    energiesByTemperature,
    magnetizationsByTemperature,
    meanEnergyPerSpin: energiesByTemperature.map((es) => mean(es) / spins),
    meanAbsMagnetizationPerSpin: magnetizationsByTemperature.map((ms) => mean(ms.map(Math.abs)) / spins),
    swapAttempts,
    swapAccepted,
    swapAcceptance: swapAccepted.map((acc, k) => (swapAttempts[k]! > 0 ? acc / swapAttempts[k]! : 0)),
    acceptedPairsByRound,
    finalEnergies: replicaAt.map((i) => energies[i]!),
    finalReplicaAtTemperature: replicaAt,
  };
}
