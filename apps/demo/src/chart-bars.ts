import { escapeHtml } from './html.js';
import { type Frame, leftAxis, linearScale, n2, niceTicks, svgOpen, text } from './svg.js';

/** One bar of a {@link barChart}. */
export interface Bar {
  /** Its label under the axis, e.g. `2.00–2.09`. */
  readonly label: string;
  /** Its height, in the chart's units. */
  readonly value: number;
  /** The text above the bar, e.g. `31%`. */
  readonly valueLabel: string;
  /** Its tooltip. */
  readonly title: string;
  /** A CSS colour. */
  readonly color: string;
}

/** What {@link barChart} draws. */
export interface BarChartSpec {
  /** The SVG element's id. */
  readonly id: string;
  /** What the chart shows, for screen readers. */
  readonly label: string;
  /** The x axis' title. */
  readonly xTitle: string;
  /** The y axis' title. */
  readonly yTitle: string;
  /** Left to right. */
  readonly bars: readonly Bar[];
  /** The top of the y axis (at least the tallest bar). */
  readonly yMax: number;
  /** Tick labels on the y axis. @defaultValue the value */
  readonly yFormat?: (value: number, step: number) => string;
  /** @defaultValue 760 */
  readonly width?: number;
  /** @defaultValue 280 */
  readonly height?: number;
}

/**
 * A bar chart as an SVG string: one `<rect class="bar" data-index="i">` per bar, a value
 * label above each (when there is room) and category labels below, thinned out when
 * there are many bars.
 */
export function barChart(spec: BarChartSpec): string {
  const frame: Frame = { width: spec.width ?? 760, height: spec.height ?? 280, left: 64, right: 16, top: 18, bottom: 48 };
  const top = Math.max(spec.yMax, ...spec.bars.map((b) => b.value));
  const yTicks = niceTicks(0, top, 5);
  const y = linearScale(0, yTicks.hi, frame.height - frame.bottom, frame.top);
  const inner = frame.width - frame.left - frame.right;
  const slot = inner / Math.max(1, spec.bars.length);
  const barWidth = Math.max(1, slot * 0.7);
  const labelEvery = Math.max(1, Math.ceil(spec.bars.length / Math.max(1, Math.floor(inner / 70))));
  const valueLabels = slot >= 26;
  const bars = spec.bars.map((bar, i) => {
    const cx = frame.left + slot * (i + 0.5);
    const yTop = y(bar.value);
    const base = frame.height - frame.bottom;
    let out =
      `<rect class="bar" data-index="${i}" data-value="${bar.value}" x="${n2(cx - barWidth / 2)}" y="${n2(yTop)}" ` +
      `width="${n2(barWidth)}" height="${n2(Math.max(0, base - yTop))}" fill="${escapeHtml(bar.color)}"><title>${escapeHtml(bar.title)}</title></rect>`;
    if (valueLabels) out += text(cx, yTop - 4, bar.valueLabel, 'class="bar-value" text-anchor="middle"');
    if (i % labelEvery === 0) out += text(cx, base + 15, bar.label, 'class="tick" text-anchor="middle"');
    return out;
  });
  const base = frame.height - frame.bottom;
  return (
    svgOpen(spec.id, frame, spec.label, 'bar-chart') +
    leftAxis(frame, y, yTicks.ticks, yTicks.step, spec.yTitle, spec.yFormat) +
    `<line class="axis" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${base}" y2="${base}"/>` +
    text((frame.left + frame.width - frame.right) / 2, frame.height - 8, spec.xTitle, 'class="axis-title" text-anchor="middle"') +
    `<g class="bars">${bars.join('')}</g></svg>`
  );
}
