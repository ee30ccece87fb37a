import { collectGarbage, summary } from './measure.js';
import type { Placement } from './placement.js';

/** Median, min and max of one figure over the rounds. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Where a case ran: a CPU {@link Placement} of real processes, or `in-process` for the
 * in-memory transport (grid and workers share this process and its one thread).
 */
export type RowPlacement = Placement | 'in-process';

/**
 * One reported figure: Hostgrid, usually against a baseline (a raw floor such as "raw
 * fd-3 echo" or "cp -r", a peer such as workerpool, or Hostgrid itself at a smaller size)
 * measured in the same rounds. Rows without a baseline carry `floor: null`.
 */
export interface Row {
  readonly case: string;
  readonly placement: RowPlacement;
  readonly unit: string;
  /** What the baseline is (e.g. "raw fd-3 echo", "cp -r", "workerpool"); "" when there is none. */
  readonly floorName: string;
  /** The baseline's figure, or null when the row has none. */
  readonly floor: Summary | null;
  readonly hostgrid: Summary;
  /** hostgrid / floor, of the medians; null without a baseline. */
  readonly ratio: number | null;
  /** The aim, in words ("at most 2× floor", "faster than workerpool", "< 5 µs"); "" for a figure reported for information. */
  readonly aim: string;
  /** Whether the aim is met; null when there is no aim. */
  readonly met: boolean | null;
}

/**
 * The aim of a comparison: the ratio hostgrid / baseline at most or at least some value.
 * `text` replaces the default wording ("at most 2× floor").
 */
export interface Aim {
  readonly kind: 'at most' | 'at least';
  readonly ratio: number;
  readonly text?: string;
}

/** Builds a {@link Row} from both sides' per-round values; without `aim` the row is for information. */
export function row(name: string, placement: RowPlacement, unit: string, floorName: string, floor: number[], grid: number[], aim?: Aim): Row {
  const f = summary(floor);
  const h = summary(grid);
  const ratio = h.median / f.median;
  return {
    case: name,
    placement,
    unit,
    floorName,
    floor: f,
    hostgrid: h,
    ratio,
    aim: aim === undefined ? '' : (aim.text ?? `${aim.kind} ${aim.ratio}× floor`),
    met: aim === undefined ? null : aim.kind === 'at most' ? ratio <= aim.ratio : ratio >= aim.ratio,
  };
}

/** The aim of a figure without a baseline: its median below some absolute value. */
export interface Limit {
  readonly below: number;
  readonly text: string;
}

/** Builds a {@link Row} with no baseline: Hostgrid's own figure, against an absolute aim or none. */
export function figure(name: string, placement: RowPlacement, unit: string, grid: number[], limit?: Limit): Row {
  const h = summary(grid);
  return {
    case: name,
    placement,
    unit,
    floorName: '',
    floor: null,
    hostgrid: h,
    ratio: null,
    aim: limit?.text ?? '',
    met: limit === undefined ? null : h.median < limit.below,
  };
}

/**
 * Runs `a` and `b` alternately `rounds` times (a first on even rounds) and collects both,
 * with a full garbage collection before each, so that neither pays for the other's garbage.
 */
export async function pair(rounds: number, a: () => Promise<number>, b: () => Promise<number>): Promise<[number[], number[]]> {
  const as: number[] = [];
  const bs: number[] = [];
  const run = async (side: () => Promise<number>, into: number[]): Promise<void> => {
    collectGarbage();
    into.push(await side());
  };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      await run(a, as);
      await run(b, bs);
    } else {
      await run(b, bs);
      await run(a, as);
    }
  }
  return [as, bs];
}

/** A number for a table cell: whole with thousands separators from 1,000, else one decimal (two below 10). */
export const fmt = (n: number): string => (n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n < 10 ? 2 : 1));
const cell = (s: Summary): string => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
const verdict = (r: Row): string => (r.met === null ? r.aim || '—' : `${r.aim} ${r.met ? '✓' : '✗'}`);

/** The rows as a markdown table (a row without a baseline shows "—" in the baseline columns). */
export function markdown(rows: readonly Row[]): string {
  const lines = ['| case | placement | unit | baseline | baseline figure | Hostgrid | Hostgrid / baseline | aim |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const floor = r.floor === null ? '—' : cell(r.floor);
    const ratio = r.ratio === null ? '—' : r.ratio.toFixed(2);
    lines.push(`| ${r.case} | ${r.placement} | ${r.unit} | ${r.floorName || '—'} | ${floor} | ${cell(r.hostgrid)} | ${ratio} | ${verdict(r)} |`);
  }
  return lines.join('\n');
}
