import { escapeHtml } from './html.js';
import { type Frame, bottomAxis, leftAxis, linearScale, n2, niceTicks, svgOpen } from './svg.js';

/** One line of a {@link lineChart}. */
export interface LineSeries {
  /** Its name, e.g. `T = 2.000`: the line's tooltip. */
  readonly label: string;
  /** A CSS colour. */
  readonly color: string;
  /** X values, ascending. */
  readonly x: readonly number[];
  /** Y values, one per x. */
  readonly y: readonly number[];
}

/** What {@link lineChart} draws. */
export interface LineChartSpec {
  /** The SVG element's id. */
  readonly id: string;
  /** What the chart shows, for screen readers. */
  readonly label: string;
  /** The x axis' title. */
  readonly xTitle: string;
  /** The y axis' title. */
  readonly yTitle: string;
  /** The lines, drawn in order. */
  readonly series: readonly LineSeries[];
  /** @defaultValue 760 */
  readonly width?: number;
  /** @defaultValue 320 */
  readonly height?: number;
  /** Start the y axis at zero. @defaultValue false */
  readonly yFromZero?: boolean;
}

/** The smallest and largest finite values of all the arrays; `[0, 1]` when there are none. */
export function extent(arrays: ReadonlyArray<readonly number[]>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const values of arrays) {
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/**
 * A line chart as an SVG string: axes with round ticks and grid lines, and one
 * `<polyline class="series" data-series="k" data-points="n">` per series, in order.
 */
export function lineChart(spec: LineChartSpec): string {
  const frame: Frame = { width: spec.width ?? 760, height: spec.height ?? 320, left: 64, right: 16, top: 12, bottom: 42 };
  const [xMin, xMax] = extent(spec.series.map((s) => s.x));
  const [yMin, yMax] = extent(spec.series.map((s) => s.y));
  const xTicks = niceTicks(xMin, xMax, 8);
  const yTicks = niceTicks(spec.yFromZero === true ? Math.min(0, yMin) : yMin, yMax, 6);
  // x spans the data exactly (rounds 1 to N); y gets round ends
  const x = linearScale(xMin, xMax, frame.left, frame.width - frame.right);
  const y = linearScale(yTicks.lo, yTicks.hi, frame.height - frame.bottom, frame.top);
  const lines = spec.series.map((s, k) => {
    const points = s.x.map((xv, i) => `${n2(x(xv))},${n2(y(s.y[i]!))}`).join(' ');
    return (
      `<polyline class="series" data-series="${k}" data-points="${s.x.length}" fill="none" stroke="${escapeHtml(s.color)}" ` +
      `points="${points}"><title>${escapeHtml(s.label)}</title></polyline>`
    );
  });
  return (
    svgOpen(spec.id, frame, spec.label, 'line-chart') +
    leftAxis(frame, y, yTicks.ticks, yTicks.step, spec.yTitle) +
    bottomAxis(frame, x, xTicks.ticks.filter((t) => t >= xMin - 1e-9 * Math.abs(xMin) && t <= xMax + 1e-9 * Math.abs(xMax)), xTicks.step, spec.xTitle) +
    `<g class="lines">${lines.join('')}</g></svg>`
  );
}
