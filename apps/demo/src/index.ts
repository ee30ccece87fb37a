/**
 * Replica-exchange Monte Carlo (parallel tempering) of a 2D Ising model on a Hostgrid:
 * the end-to-end demo. The same driver runs on a grid and in this process, and gives
 * the same result for the same config.
 *
 * @example
 * ```ts
 * import { runOnGrid, runSequential } from '@hostgrid/demo';
 *
 * const config = { replicas: 4, rounds: 50, sweeps: 10, size: 16, tmin: 2.0, tmax: 2.6, seed: 1 };
 * const { result, servers } = await runOnGrid(config);          // one local worker per replica
 * assert.deepStrictEqual(result, await runSequential(config));  // always holds
 * ```
 *
 * @packageDocumentation
 */
export { Rng, type RngState, checkSeed, deriveSeed } from './rng.js';
export {
  type Lattice,
  type LatticeStart,
  MIN_SIZE,
  checkSize,
  checkTemperature,
  createLattice,
  energy,
  magnetization,
  metropolis,
  sweep,
} from './ising.js';
export { REPLICA_MODULE_URL, Replica, type ReplicaSetup, type ReplicaState, type Sample } from './replica.js';
export { DEFAULT_CONFIG, type ExchangeConfig, MAX_REPLICAS, temperatureLadder, validateConfig } from './config.js';
export {
  type Ensemble,
  type ExchangeOptions,
  type ExchangeResult,
  type RoundProgress,
  replicaSetups,
  runExchange,
} from './exchange.js';
export { LocalEnsemble, runSequential } from './sequential.js';
export { GridEnsemble } from './grid-ensemble.js';
export { type GridRun, type GridRunOptions, runOnGrid } from './run-on-grid.js';
export { type ServerUsage, type SummaryContext, formatProgress, formatSummary } from './report.js';
export { type CliOptions, PROGRAM, TRANSPORTS, type TransportName, USAGE, UsageError, parseCliArgs } from './args.js';
