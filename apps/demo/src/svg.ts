import { escapeHtml } from './html.js';

/** The drawing area of a chart inside its SVG, in user units. */
export interface Frame {
  /** The whole SVG's width. */
  readonly width: number;
  /** The whole SVG's height. */
  readonly height: number;
  /** Margins around the drawing area, for axes and labels. */
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** A linear map from data to SVG coordinates. */
export type Scale = (value: number) => number;

/** The linear scale taking `[d0, d1]` to `[r0, r1]` (a flat domain maps to the middle). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/**
 * About `count` round tick values covering `[min, max]` (steps of 1, 2 or 5 × 10ⁿ), and
 * the domain they span, which contains `[min, max]`.
 */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; lo: number; hi: number; step: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [0, 1], lo: 0, hi: 1, step: 1 };
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0, v = lo; v <= hi + step * 1e-6 && i < 100; i++, v = lo + i * step) ticks.push(Number(v.toPrecision(12)));
  return { ticks, lo, hi, step };
}

/** A tick label with as many decimals as the step needs. */
export function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/** A number with at most 2 decimals, for SVG coordinates. */
export const n2 = (value: number): string => String(Math.round(value * 100) / 100);

/** `<text>` with escaped content. */
export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${n2(x)}" y="${n2(y)}"${attrs === '' ? '' : ` ${attrs}`}>${escapeHtml(content)}</text>`;
}

/** A horizontal axis along the bottom of the frame: grid lines, tick labels and its title. */
export function bottomAxis(frame: Frame, x: Scale, ticks: readonly number[], step: number, title: string, format = tickLabel): string {
  const y = frame.height - frame.bottom;
  const parts = ticks.map(
    (t) =>
      `<line class="gridline" x1="${n2(x(t))}" x2="${n2(x(t))}" y1="${frame.top}" y2="${y}"/>` +
      text(x(t), y + 16, format(t, step), 'class="tick" text-anchor="middle"'),
  );
  parts.push(`<line class="axis" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${y}" y2="${y}"/>`);
  parts.push(text((frame.left + frame.width - frame.right) / 2, frame.height - 6, title, 'class="axis-title" text-anchor="middle"'));
  return `<g class="x-axis">${parts.join('')}</g>`;
}

/** A vertical axis along the left of the frame: grid lines, tick labels and its title. */
export function leftAxis(frame: Frame, y: Scale, ticks: readonly number[], step: number, title: string, format = tickLabel): string {
  const parts = ticks.map(
    (t) =>
      `<line class="gridline" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${n2(y(t))}" y2="${n2(y(t))}"/>` +
      text(frame.left - 6, y(t) + 4, format(t, step), 'class="tick" text-anchor="end"'),
  );
  parts.push(`<line class="axis" x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${frame.height - frame.bottom}"/>`);
  const cy = (frame.top + frame.height - frame.bottom) / 2;
  parts.push(text(14, cy, title, `class="axis-title" text-anchor="middle" transform="rotate(-90 14 ${n2(cy)})"`));
  return `<g class="y-axis">${parts.join('')}</g>`;
}

/** The opening tag of a chart's SVG, scaled to its container's width. */
export function svgOpen(id: string, frame: Frame, label: string, className: string): string {
  return (
    `<svg id="${escapeHtml(id)}" class="chart ${className}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${frame.width} ${frame.height}" ` +
    `width="${frame.width}" height="${frame.height}" role="img" aria-label="${escapeHtml(label)}">`
  );
}
