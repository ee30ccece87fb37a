import type { Phase } from './chart-timeline.js';
import type { ExchangeConfig } from './config.js';
import { bucketMeans } from './downsample.js';
import type { ExchangeResult } from './exchange.js';
import type { HostEntry } from './hosts.js';
import type { ServerUsage } from './report.js';
import type { ServerTimeline, Timeline } from './timeline.js';

/** The tag of {@link ReportData}'s format, in `report.json` and the page. */
export const REPORT_FORMAT = 'hostgrid-demo-report/1';

/** How the run was done: the report's summary header. */
export interface RunInfo {
  /** `local`, `ssh`, or `sequential` for a run in one process. */
  readonly transport: string;
  /** The hosts and their slots; empty for a sequential run. */
  readonly hosts: readonly HostEntry[];
  /** Wall time of the whole run (starting and stopping the grid included), in ms. */
  readonly wallMs: number;
  /** Each server's calls and mean call time; empty for a sequential run. */
  readonly servers: readonly ServerUsage[];
}

/** One neighbouring pair of temperatures and its swaps. */
export interface SwapPair {
  /** k: the pair is temperatures k and k + 1. */
  readonly pair: number;
  /** Tₖ. */
  readonly tLow: number;
  /** Tₖ₊₁. */
  readonly tHigh: number;
  /** Swaps tried between them. */
  readonly attempted: number;
  /** Swaps accepted. */
  readonly accepted: number;
  /** accepted / attempted, 0 when never attempted. */
  readonly acceptance: number;
}

/** The per-server timeline as the report draws it. */
export interface ReportTimeline {
  /** The run's length, in ms. */
  readonly totalMs: number;
  /** The longest idle gap that may have been merged into busy segments, in ms. */
  readonly resolutionMs: number;
  /** One per server, in server order. */
  readonly servers: readonly ServerTimeline[];
  /** The run's phases, back to back from 0 to `totalMs`. */
  readonly phases: readonly Phase[];
}

/** A per-round series, thinned for drawing. */
export interface RoundSeries {
  /** Round of each point (the mean round when a point stands for several). */
  readonly rounds: number[];
  /** Rounds each point stands for. */
  readonly roundsPerPoint: number;
}

/**
 * Everything the HTML report shows, as plain JSON: written as `report.json` and embedded
 * in `report.html`. Timings live here, never in `result.json`.
 */
export interface ReportData {
  /** {@link REPORT_FORMAT}. */
  readonly format: typeof REPORT_FORMAT;
  /** When the report was made (ISO 8601). */
  readonly generatedAt: string;
  /** The run's config. */
  readonly config: ExchangeConfig;
  /** How it was run. */
  readonly run: RunInfo;
  /** The ladder, lowest first; index k everywhere below. */
  readonly temperatures: number[];
  /** Energy per spin at each temperature vs round (`perSpin[k][point]`). */
  readonly energy: RoundSeries & { readonly perSpin: number[][] };
  /** Per temperature, over all rounds. */
  readonly means: { readonly energyPerSpin: number[]; readonly absMagnetizationPerSpin: number[] };
  /** One entry per neighbouring pair, lowest first. */
  readonly swaps: SwapPair[];
  /** Swaps accepted and attempted in the whole run. */
  readonly swapTotals: { readonly accepted: number; readonly attempted: number };
  /** Who was busy when; null for a sequential run. */
  readonly timeline: ReportTimeline | null;
  /** Wall time of each round, in ms; null when not recorded. */
  readonly roundTime: (RoundSeries & { readonly ms: number[] }) | null;
}

/** What {@link buildReportData} needs besides the result. */
export interface ReportInput {
  /** How the run was done. */
  readonly run: RunInfo;
  /** The run's timeline; absent for a sequential run. */
  readonly timeline?: Timeline;
  /** When the report is made. @defaultValue now */
  readonly generatedAt?: Date;
  /** The most points per line. @defaultValue 1000, fewer with many temperatures (at least 200) */
  readonly maxPoints?: number;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** The run's phases from the timeline's marks: each mark starts a phase that lasts until the next. */
export function phasesOf(timeline: Timeline, first = 'starting grid'): Phase[] {
  const starts = [{ label: first, atMs: 0 }, ...timeline.marks];
  return starts.map((mark, i) => ({
    label: mark.label,
    fromMs: mark.atMs,
    toMs: i + 1 < starts.length ? starts[i + 1]!.atMs : timeline.totalMs,
  }));
}

/**
 * Shapes a run's result, timeline and facts into {@link ReportData}: energies per spin
 * thinned to at most `maxPoints` per temperature (means of consecutive rounds), swap
 * acceptance per pair, and the timeline with its phases.
 */
export function buildReportData(result: ExchangeResult, input: ReportInput): ReportData {
  const n = result.temperatures.length;
  const maxPoints = input.maxPoints ?? Math.max(200, Math.min(1000, Math.floor(200_000 / n)));
  const thinned = result.energiesByTemperature.map((energies) => bucketMeans(energies.map((e) => e / result.spins), maxPoints));
  const first = thinned[0] ?? { x: [], per: 1 };
  const { timeline } = input;
  const roundTime = timeline === undefined || timeline.roundMs.length === 0 ? null : bucketMeans(timeline.roundMs, maxPoints);
  return {
    format: REPORT_FORMAT,
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    config: result.config,
    run: input.run,
    temperatures: result.temperatures,
    energy: {
      rounds: first.x,
      roundsPerPoint: first.per,
      perSpin: thinned.map((t) => t.y.map((v) => round(v, 6))),
    },
    means: {
      energyPerSpin: result.meanEnergyPerSpin,
      absMagnetizationPerSpin: result.meanAbsMagnetizationPerSpin,
    },
    swaps: result.swapAcceptance.map((acceptance, k) => ({
      pair: k,
      tLow: result.temperatures[k]!,
      tHigh: result.temperatures[k + 1]!,
      attempted: result.swapAttempts[k]!,
      accepted: result.swapAccepted[k]!,
      acceptance,
    })),
    swapTotals: {
      accepted: result.swapAccepted.reduce((a, b) => a + b, 0),
      attempted: result.swapAttempts.reduce((a, b) => a + b, 0),
    },
    timeline:
      timeline === undefined
        ? null
        : { totalMs: timeline.totalMs, resolutionMs: timeline.resolutionMs, servers: timeline.servers, phases: phasesOf(timeline) },
    roundTime: roundTime === null ? null : { rounds: roundTime.x, roundsPerPoint: roundTime.per, ms: roundTime.y.map((v) => round(v, 3)) },
  };
}
