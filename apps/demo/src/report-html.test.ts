import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from './config.js';
import { type ReportData, buildReportData } from './report-data.js';
import { renderReportHtml } from './report-html.js';
import { runSequential } from './sequential.js';
import type { Timeline } from './timeline.js';

const config: ExchangeConfig = { replicas: 5, rounds: 40, sweeps: 2, size: 6, tmin: 2, tmax: 2.6, seed: 8 };

const timeline: Timeline = {
  totalMs: 500,
  resolutionMs: 0.1,
  servers: Array.from({ length: 5 }, (_, slot) => ({
    host: slot < 3 ? 'alpha' : 'beta',
    slot: slot < 3 ? slot : slot - 3,
    calls: 41,
    busyMs: 200,
    busyByPhaseMs: [0, 150 + 10 * slot],
    segments: [[100, 100], [300, 100]] as Array<[number, number]>,
  })),
  marks: [{ label: 'exchange rounds', atMs: 100 }],
  roundMs: Array.from({ length: 40 }, () => 10),
};

async function report(): Promise<ReportData> {
  const result = await runSequential(config);
  return buildReportData(result, { run: { transport: 'local', hosts: [{ name: 'alpha', slots: 3 }, { name: 'beta', slots: 2 }], wallMs: 512, servers: [] }, timeline });
}

const count = (html: string, pattern: RegExp): number => html.match(new RegExp(pattern.source, 'g'))?.length ?? 0;

/** The `<svg id="…">…</svg>` element of a chart. */
function svgOf(html: string, id: string): string {
  const start = html.indexOf(`<svg id="${id}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</svg>', start) + 6);
}

describe('renderReportHtml', () => {
  it('embeds the data as JSON that parses back to it', async () => {
    const data = await report();
    const html = renderReportHtml(data);
    const embedded = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
    expect(embedded).not.toBeNull();
    expect(JSON.parse(embedded![1]!)).toEqual(data);
  });

  it('draws one line per temperature, one bar per pair, one timeline row per server', async () => {
    const data = await report();
    const html = renderReportHtml(data);
    const energy = svgOf(html, 'energy-chart');
    expect(count(energy, /<polyline class="series" data-series="\d+" data-points="40"/)).toBe(5);
    const points = [...energy.matchAll(/<polyline class="series"[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(points).toEqual([40, 40, 40, 40, 40]);
    expect(count(html, /<button type="button" data-series=/)).toBe(5);
    expect(count(svgOf(html, 'swap-chart'), /<rect class="bar" /)).toBe(4);
    const rows = svgOf(html, 'timeline-chart');
    expect(count(rows, /<g class="tl-row" /)).toBe(5);
    expect(count(rows, /<rect class="phase" /)).toBe(2);
    const segments = [...rows.matchAll(/<path class="busy" fill="[^"]*" d="([^"]*)"/g)].map((m) => m[1]!.split('M').length - 1);
    expect(segments).toEqual([2, 2, 2, 2, 2]);
    expect(rows).toContain('data-host="beta" data-slot="1" data-segments="2"');
    expect(count(svgOf(html, 'round-time-chart'), /<polyline class="series" data-series="0" data-points="40"/)).toBe(1);
  });

  it('shows the summary: config, wall time, hosts and servers', async () => {
    const html = renderReportHtml(await report());
    expect(html).toContain('5 replicas of a 6×6 Ising lattice');
    expect(html).toContain('<dd>0.51 s</dd>');
    expect(html).toContain('alpha×3, beta×2');
    expect(html).toContain('<dd>5, 205 calls</dd>');
    expect(html).toContain('<dd>40 × 2</dd>');
    // busy share of the rounds (100 ms to 500 ms): 150/400 … 190/400, mean 42.5%
    expect(html).toContain('<dt>Servers busy in the rounds</dt><dd>42.5%</dd>');
    expect(html).toContain('<dt>Servers busy in the run</dt><dd>40.0%</dd>');
  });

  it('loads nothing from anywhere', async () => {
    const html = renderReportHtml(await report());
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|\burl\(/);
    expect(html).toContain(`default-src 'none'`);
  });

  it('escapes what came from outside', async () => {
    const data = await report();
    const evil = '</script><img src=x onerror=alert(1)>';
    const html = renderReportHtml({
      ...data,
      run: { ...data.run, hosts: [{ name: evil, slots: 5 }] },
      timeline: { ...data.timeline!, servers: data.timeline!.servers.map((s) => ({ ...s, host: evil })) },
    });
    expect(html).not.toContain('<img src=x');
    expect(count(html, /<\/script>/)).toBe(2);
  });

  it('says so when a sequential run has no timeline', async () => {
    const data = await report();
    const html = renderReportHtml({ ...data, timeline: null, roundTime: null });
    expect(html).toContain('A sequential run');
    expect(html).not.toContain('id="timeline-chart"');
    expect(html).not.toContain('id="round-time-chart"');
  });
});
