import { performance } from 'node:perf_hooks';
import type { CliOptions } from './args.js';
import type { ExchangeOptions, ExchangeResult, RoundProgress } from './exchange.js';
import type { GridListener } from './grid-listener.js';
import type { GridTarget } from './grid-transport.js';
import type { LiveState } from './live-state.js';
import type { ServerUsage } from './report.js';
import { runSequential } from './sequential.js';
import { type Timeline, TimelineRecorder } from './timeline.js';

/** What one run of the demo gives: the result, and how it went. */
export interface DemoRun {
  /** The same whichever way it ran. */
  readonly result: ExchangeResult;
  /** Each server's share; absent for a sequential run. */
  readonly servers?: ServerUsage[];
  /** Who was busy when; absent for a sequential run. */
  readonly timeline?: Timeline;
  /** Wall time of the whole run, starting and stopping the grid included, in ms. */
  readonly wallMs: number;
}

/** Where a run reports as it goes, besides its result. */
export interface DemoObservers {
  /** After every round (the CLI prints a progress line). */
  readonly onRound?: (progress: RoundProgress) => void;
  /** The live view's state, kept up to date when there is one. */
  readonly live?: LiveState;
  /** Lines for people before the grid starts (e.g. the command hosts run to dial in over ws). */
  readonly onNotice?: (line: string) => void;
}

/** Marks on the timeline for the steps of a grid run. */
const STEP_LABELS = { staging: 'staging files', publishing: 'publishing', exchange: 'setting up replicas', terminating: 'stopping grid' } as const;
const STEP_PHASES = { staging: 'staging', publishing: 'publishing', exchange: 'running', terminating: 'stopping' } as const;

/**
 * Runs the demo as the command line says: in this process (`--sequential`), or on a grid
 * of the chosen transport and hosts, with staging bars and the timeline recorded from
 * the grid's events.
 *
 * @throws whatever the run throws (bad hosts, a refused key, a lost worker, …)
 */
export async function runDemo(cli: CliOptions, observers: DemoObservers = {}): Promise<DemoRun> {
  const { config } = cli;
  const { live } = observers;
  const started = performance.now();
  if (cli.sequential) {
    const options: ExchangeOptions = observers.onRound === undefined ? {} : { onRound: observers.onRound };
    const result = await runSequential(config, options);
    return { result, wallMs: performance.now() - started };
  }

  const timeline = new TimelineRecorder();
  const listeners: GridListener[] = live === undefined ? [timeline] : [timeline, live];
  // Loaded only now, so that --help, usage errors and --sequential never load a grid.
  const [{ runOnGrid }, { StagingBars }, { followGrid }, { gridTarget }, { launcherTarget }, { resolveOutDir }, { gridLogger }] = await Promise.all([
    import('./run-on-grid.js'),
    import('./staging-bar.js'),
    import('./grid-listener.js'),
    import('./grid-transport.js'),
    import('./launcher.js'),
    import('./write-output.js'),
    import('./grid-logger.js'),
  ]);
  // Inside an allocation the launcher starts the workers, on hosts that share a temp folder.
  const target: GridTarget & { sharedTempPath?: string } =
    cli.launcher !== undefined
      ? await launcherTarget(cli.launcher, cli.hosts, resolveOutDir(cli.out))
      : await gridTarget(cli.transport, cli.hosts, { ssh: cli.ssh, ws: cli.ws, outDir: resolveOutDir(cli.out) });
  for (const line of target.notice ?? []) observers.onNotice?.(line);
  const bars = new StagingBars();
  const { result, servers } = await runOnGrid(config, {
    transport: target.transport,
    hosts: target.hosts,
    display: cli.display,
    logger: gridLogger(cli.logLevel ?? 'warn'),
    ...(target.sharedTempPath === undefined ? {} : { sharedTempPath: target.sharedTempPath }),
    onStaging: (event) => bars.update(event),
    onGrid: (grid) => followGrid(grid, listeners),
    onStep: (step) => {
      timeline.mark(STEP_LABELS[step]);
      live?.setPhase(STEP_PHASES[step]);
    },
    onStart: () => timeline.roundsStarted(),
    onRound: (progress) => {
      timeline.roundDone();
      live?.setProgress(progress);
      observers.onRound?.(progress);
    },
  });
  return { result, servers, timeline: timeline.finish(), wallMs: performance.now() - started };
}
