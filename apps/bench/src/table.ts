import { summary } from './measure.js';
import type { Placement } from './placement.js';

/** One compared figure: Hostgrid against a floor, both measured in the same rounds. */
export interface Row {
  readonly case: string;
  readonly placement: Placement;
  readonly unit: string;
  /** What the floor is (e.g. "raw fd-3 echo", "cp -r"). */
  readonly floorName: string;
  readonly floor: { median: number; min: number; max: number };
  readonly hostgrid: { median: number; min: number; max: number };
  /** hostgrid / floor, of the medians. */
  readonly ratio: number;
  readonly aim: string;
  readonly met: boolean;
}

/** The aim of a comparison: the ratio hostgrid / floor at most or at least some value. */
export interface Aim {
  readonly kind: 'at most' | 'at least';
  readonly ratio: number;
}

/** Builds a {@link Row} from both sides' per-round values. */
export function row(name: string, placement: Placement, unit: string, floorName: string, floor: number[], grid: number[], aim: Aim): Row {
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
    aim: `${aim.kind} ${aim.ratio}× floor`,
    met: aim.kind === 'at most' ? ratio <= aim.ratio : ratio >= aim.ratio,
  };
}

/** Runs `a` and `b` alternately `rounds` times (a first on even rounds) and collects both. */
export async function pair(rounds: number, a: () => Promise<number>, b: () => Promise<number>): Promise<[number[], number[]]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return [as, bs];
}

const fmt = (n: number): string => (n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const cell = (s: { median: number; min: number; max: number }): string => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;

/** The rows as a markdown table. */
export function markdown(rows: readonly Row[]): string {
  const lines = ['| case | placement | unit | floor | floor figure | Hostgrid | Hostgrid / floor | aim |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    lines.push(`| ${r.case} | ${r.placement} | ${r.unit} | ${r.floorName} | ${cell(r.floor)} | ${cell(r.hostgrid)} | ${r.ratio.toFixed(2)} | ${r.aim} ${r.met ? '✓' : '✗'} |`);
  }
  return lines.join('\n');
}
