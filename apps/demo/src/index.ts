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
export { type GridRun, type GridRunOptions, type GridRunStep, runOnGrid } from './run-on-grid.js';
export { type ServerUsage, type SummaryContext, formatProgress, formatSummary } from './report.js';
export {
  type CliOptions,
  DEFAULT_OUT,
  type LiveFlags,
  PROGRAM,
  type SshFlags,
  TRANSPORTS,
  type TransportName,
  USAGE,
  UsageError,
  parseCliArgs,
} from './args.js';
export { type HostEntry, HostListError, type ReplicaLayout, layoutReplicas, parseHostList } from './hosts.js';
export { type GridTarget, type TargetSettings, gridTarget } from './grid-transport.js';
export { DEFAULT_JOIN_TIMEOUT_S, DEFAULT_LISTEN, type WsFlags } from './ws-args.js';
export { TOKEN_FILE, wsTarget } from './ws-target.js';
export { LAUNCHERS, type LauncherFlags, type LauncherName, type SbatchFlags } from './launcher-args.js';
export { AllocationMismatchError, launcherTarget, withAllocation } from './launcher.js';
export { batchArgs, submitDemo } from './sbatch.js';
export { type GridListener, followGrid } from './grid-listener.js';
export {
  type PhaseMark,
  ROUNDS_PHASE,
  type Segment,
  type ServerTimeline,
  type Timeline,
  type TimelineOptions,
  TimelineRecorder,
} from './timeline.js';
export { type Thinned, bucketMeans } from './downsample.js';
export {
  REPORT_FORMAT,
  type ReportData,
  type ReportInput,
  type ReportTimeline,
  type RoundSeries,
  type RunInfo,
  type SwapPair,
  buildReportData,
  phasesOf,
} from './report-data.js';
export { renderReportHtml } from './report-html.js';
export { type OutputFiles, resolveOutDir, writeOutput } from './write-output.js';
export { type LiveHost, type LivePhase, type LiveSlot, type LiveSetup, type LiveSnapshot, LiveState } from './live-state.js';
export { LiveServer, type LiveServerOptions } from './live-server.js';
export { renderLivePage } from './live-page.js';
export { type DemoObservers, type DemoRun, runDemo } from './demo-run.js';
