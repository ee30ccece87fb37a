import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Grid, type HostSpec, type Logger, type StagingProgressEvent, type Transport, registerClass } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { type ExchangeConfig, validateConfig } from './config.js';
import { type ExchangeOptions, type ExchangeResult, runExchange } from './exchange.js';
import { GridEnsemble } from './grid-ensemble.js';
import { REPLICA_MODULE_URL, Replica } from './replica.js';
import type { ServerUsage } from './report.js';

// Hosts import the class from its own module, never from this one.
registerClass(Replica, REPLICA_MODULE_URL);

/** Options of {@link runOnGrid}; none of them changes the result. */
export interface GridRunOptions extends ExchangeOptions {
  /** How workers are started. @defaultValue `localTransport()` */
  readonly transport?: Transport;
  /**
   * The hosts; their slots must add up to `config.replicas` (one server per replica).
   * @defaultValue `[{ name: 'local', slots: config.replicas }]`
   */
  readonly hosts?: ReadonlyArray<string | HostSpec>;
  /** Stream every worker's output to this process, prefixed `[host/slot]`. @defaultValue false */
  readonly display?: boolean;
  /** The grid's logger (the CLI gives it pino on stderr). @defaultValue none: the grid is silent */
  readonly logger?: Logger;
  /** A folder every host sees, as the grid's temp path for all of them (a cluster's shared file system). @defaultValue each host gets its own */
  readonly sharedTempPath?: string;
  /** Told how staging the replica's modules onto the hosts goes. */
  readonly onStaging?: (event: StagingProgressEvent) => void;
  /** Given the grid as soon as it has started, before anything runs on it: to follow its events. */
  readonly onGrid?: (grid: Grid) => void;
  /** Told when the run moves on to its next step. */
  readonly onStep?: (step: GridRunStep) => void;
}

/**
 * The steps of {@link runOnGrid} after the grid has started: staging the replica's
 * modules, publishing it, setting the replicas up and running the rounds (`exchange`),
 * and terminating the grid (which happens whatever went before).
 */
export type GridRunStep = 'staging' | 'publishing' | 'exchange' | 'terminating';

/** The modules a host needs to run a replica: the class and what it imports. */
export const REPLICA_FILES = ['replica.js', 'ising.js', 'rng.js'] as const;

/** What {@link runOnGrid} returns: the result, and the servers that computed it. */
export interface GridRun {
  /** The same value `runSequential` gives for the same config. */
  readonly result: ExchangeResult;
  /** Each server's share of the work, in server (= replica) order. */
  readonly servers: ServerUsage[];
}

/**
 * Runs replica exchange on a Hostgrid: starts a grid with one server per replica,
 * stages the replica's modules onto the hosts, publishes a fresh {@link Replica} to every server, drives the exchange with
 * scatter/gather, and terminates the grid whatever happens.
 *
 * @throws RangeError when the config is invalid; Error when the hosts do not give one
 *   server per replica; the grid's own errors (`WorkerLostError`, `RemoteError`, …)
 */
export async function runOnGrid(config: ExchangeConfig, options: GridRunOptions = {}): Promise<GridRun> {
  validateConfig(config);
  const grid = await Grid.start({
    hosts: options.hosts ?? [{ name: 'local', slots: config.replicas }],
    transport: options.transport ?? localTransport(),
    ...(options.display === undefined ? {} : { display: options.display }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.sharedTempPath === undefined ? {} : { sharedTempPath: options.sharedTempPath }),
  });
  let failed = false;
  try {
    options.onGrid?.(grid);
    // Hosts run the copies staged into their temp paths, as a remote host must.
    if (options.onStaging !== undefined) grid.on('staging-progress', options.onStaging);
    options.onStep?.('staging');
    await grid.copyFiles(dirname(fileURLToPath(REPLICA_MODULE_URL)), [...REPLICA_FILES]);
    options.onStep?.('publishing');
    const service = await grid.publish(new Replica());
    const count = grid.servers(service).length;
    if (count !== config.replicas) {
      throw new Error(`the grid has ${count} servers for ${config.replicas} replicas; give the hosts one slot per replica`);
    }
    options.onStep?.('exchange');
    const result = await runExchange(new GridEnsemble(grid, service), config, options);
    const servers = grid.servers(service).map(({ host, slot, jobs, meanMs }) => ({ host, slot, jobs, meanMs }));
    return { result, servers };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    options.onStep?.('terminating');
    // A failure to terminate must not hide the error that brought us here.
    await grid.terminate({ cleanup: true }).catch((error: unknown) => {
      if (!failed) throw error;
    });
  }
}
