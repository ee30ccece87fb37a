import { BUSY_COLOR } from './colors.js';
import { escapeHtml } from './html.js';
import { type Frame, bottomAxis, linearScale, n2, niceTicks, svgOpen, text } from './svg.js';
import type { ServerTimeline } from './timeline.js';

/** A stretch of the run between two marks, e.g. `staging` from 0.12 s to 0.15 s. */
export interface Phase {
  /** What the run was doing. */
  readonly label: string;
  /** From, in ms since the start of the run. */
  readonly fromMs: number;
  /** To, in ms since the start of the run. */
  readonly toMs: number;
}

/** What {@link timelineChart} draws. */
export interface TimelineChartSpec {
  /** The SVG element's id. */
  readonly id: string;
  /** The run's length, in ms. */
  readonly totalMs: number;
  /** One row each, top to bottom. */
  readonly servers: readonly ServerTimeline[];
  /** Drawn as a strip above the rows. */
  readonly phases: readonly Phase[];
  /** Where the drawn stretch of the run starts, in ms. @defaultValue 0 */
  readonly fromMs?: number;
  /** Where it ends, in ms. @defaultValue `totalMs` */
  readonly toMs?: number;
  /** Each row's busy share, written at its right. @defaultValue its busy time over `totalMs` */
  readonly share?: (server: ServerTimeline) => number;
  /** @defaultValue 760 */
  readonly width?: number;
}

const PHASE_FILLS = ['#e8eef7', '#f3ead9', '#e6f2e9', '#efe6f3', '#dcebf5', '#f5e3e3'];

/** Rows of about 18 units for a few servers, thinner for many, the whole chart at most ~600 tall. */
function rowHeight(rows: number): number {
  return Math.max(3, Math.min(18, Math.floor(560 / Math.max(1, rows))));
}

/**
 * The per-server timeline as an SVG string: a strip of the run's phases on top, then one
 * `<g class="tl-row" data-host data-slot data-segments>` per server with its idle
 * background, its busy segments as one `<path class="busy">`, and its busy share of the
 * run on the right; time in seconds along the bottom.
 */
export function timelineChart(spec: TimelineChartSpec): string {
  const rows = spec.servers.length;
  const rh = rowHeight(rows);
  const gap = rh >= 10 ? 3 : rh >= 6 ? 1 : 0;
  const strip = spec.phases.length > 0 ? 22 : 0;
  const top = strip > 0 ? 8 + strip + 10 : 8;
  const frameHeight = top + rows * (rh + gap) + 44;
  const frame: Frame = { width: spec.width ?? 760, height: frameHeight, left: 96, right: 52, top, bottom: 44 };
  const fromMs = spec.fromMs ?? 0;
  const toMs = Math.max(spec.toMs ?? spec.totalMs, fromMs + 1e-3);
  const fromS = fromMs / 1000;
  const toS = toMs / 1000;
  const ticks = niceTicks(fromS, toS, 8);
  const right = frame.width - frame.right;
  const x = linearScale(fromS, toS, frame.left, right);
  const xMs = (ms: number): number => x(Math.min(toMs, Math.max(fromMs, ms)) / 1000);
  const shareOf = spec.share ?? ((server: ServerTimeline) => (spec.totalMs > 0 ? server.busyMs / spec.totalMs : 0));

  const phases = spec.phases.map((phase, i) => {
    if (phase.toMs < fromMs || phase.fromMs > toMs) return '';
    const x0 = xMs(phase.fromMs);
    const w = Math.max(0, xMs(phase.toMs) - x0);
    const seconds = ((phase.toMs - phase.fromMs) / 1000).toFixed(2);
    let out =
      `<rect class="phase" data-phase="${escapeHtml(phase.label)}" x="${n2(x0)}" y="8" width="${n2(w)}" height="${strip}" fill="${PHASE_FILLS[i % PHASE_FILLS.length]}">` +
      `<title>${escapeHtml(`${phase.label}: ${seconds} s`)}</title></rect>`;
    if (w >= phase.label.length * 6.2 + 8) out += text(x0 + w / 2, 8 + strip / 2 + 4, phase.label, 'class="phase-label" text-anchor="middle"');
    return out;
  });

  const labelEvery = rh >= 9 ? 1 : Math.ceil(9 / rh);
  const rowParts = spec.servers.map((server, i) => {
    const y0 = top + i * (rh + gap);
    const d = server.segments
      .filter(([start, duration]) => start + duration >= fromMs && start <= toMs)
      .map(([start, duration]) => `M${n2(xMs(start))} ${n2(y0)}h${n2(Math.max(0.4, xMs(start + duration) - xMs(start)))}v${rh}H${n2(xMs(start))}z`)
      .join('');
    const share = shareOf(server);
    const name = `${server.host}/${server.slot}`;
    const tip = `${name}: ${server.calls} calls in the run; busy ${(100 * share).toFixed(1)}% of the ${((toMs - fromMs) / 1000).toFixed(3)} s shown`;
    const label = i % labelEvery === 0 ? text(frame.left - 6, y0 + rh / 2 + 4, name, 'class="tick" text-anchor="end"') : '';
    const util = rh >= 9 ? text(right + 6, y0 + rh / 2 + 4, `${Math.round(100 * share)}%`, 'class="tick util"') : '';
    return (
      `<g class="tl-row" data-host="${escapeHtml(server.host)}" data-slot="${server.slot}" data-segments="${server.segments.length}">` +
      `<title>${escapeHtml(tip)}</title>${label}` +
      `<rect class="idle" x="${frame.left}" y="${n2(y0)}" width="${n2(right - frame.left)}" height="${rh}"/>` +
      `<path class="busy" fill="${BUSY_COLOR}" d="${d}"/>${util}</g>`
    );
  });

  return (
    svgOpen(spec.id, frame, `busy and idle time of ${rows} servers from ${fromS.toFixed(2)} s to ${toS.toFixed(2)} s`, 'timeline-chart') +
    // the axis first: its grid lines show between the rows, never across a busy segment
    bottomAxis(frame, x, ticks.ticks.filter((t) => t >= fromS - 1e-9 && t <= toS + 1e-9), ticks.step, 'time since start (s)') +
    `<g class="phases">${phases.join('')}</g>` +
    `<g class="rows">${rowParts.join('')}</g></svg>`
  );
}
