import { barChart } from './chart-bars.js';
import { lineChart } from './chart-line.js';
import { timelineChart } from './chart-timeline.js';
import { temperatureColor } from './colors.js';
import { escapeHtml, jsonForScript } from './html.js';
import { PAGE_CSS } from './page-style.js';
import type { ReportData, ReportTimeline } from './report-data.js';
import { ROUNDS_PHASE } from './timeline.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const percent = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`;

/** The exchange rounds' phase and each server's busy share of it, when the timeline has them. */
function roundsWindow(timeline: ReportTimeline): { fromMs: number; toMs: number; shares: number[] } | undefined {
  const index = timeline.phases.findIndex((p) => p.label === ROUNDS_PHASE);
  const phase = timeline.phases[index];
  if (phase === undefined || phase.toMs <= phase.fromMs) return undefined;
  const span = phase.toMs - phase.fromMs;
  return { fromMs: phase.fromMs, toMs: phase.toMs, shares: timeline.servers.map((s) => Math.min(1, (s.busyByPhaseMs[index] ?? 0) / span)) };
}

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

function fact(term: string, value: string): string {
  return `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`;
}

function summary(data: ReportData): string {
  const { config, run, swapTotals } = data;
  const hosts = run.hosts.length === 0 ? 'none (in this process)' : run.hosts.map((h) => `${h.name}×${h.slots}`).join(', ');
  const servers = data.timeline?.servers ?? [];
  const busy = servers.reduce((sum, s) => sum + s.busyMs, 0);
  const calls = servers.reduce((sum, s) => sum + s.calls, 0);
  const facts = [
    fact('Replicas = temperatures', String(config.replicas)),
    fact('Lattice', `${config.size} × ${config.size} spins`),
    fact('Rounds × sweeps', `${config.rounds} × ${config.sweeps}`),
    fact('Temperatures', `${config.tmin.toFixed(2)} … ${config.tmax.toFixed(2)}, geometric`),
    fact('Seed', String(config.seed)),
    fact('Transport', run.transport),
    fact('Hosts', hosts),
    fact('Wall time', seconds(run.wallMs)),
    fact('Swaps accepted', `${swapTotals.accepted} of ${swapTotals.attempted}${swapTotals.attempted > 0 ? ` (${percent(swapTotals.accepted / swapTotals.attempted)})` : ''}`),
  ];
  if (data.timeline !== null && servers.length > 0) {
    facts.push(fact('Servers', `${servers.length}, ${calls} calls`));
    const rounds = roundsWindow(data.timeline);
    if (rounds !== undefined) facts.push(fact('Servers busy in the rounds', percent(mean(rounds.shares))));
    facts.push(fact('Servers busy in the run', percent(busy / (servers.length * Math.max(1, data.timeline.totalMs)))));
  }
  return `<dl class="facts">${facts.join('')}</dl>`;
}

function energySection(data: ReportData): string {
  const n = data.temperatures.length;
  const series = data.temperatures.map((t, k) => ({
    label: `T = ${t.toFixed(3)}: mean E/N ${data.means.energyPerSpin[k]!.toFixed(4)}`,
    color: temperatureColor(k, n),
    x: data.energy.rounds,
    y: data.energy.perSpin[k]!,
  }));
  const legend = data.temperatures
    .map(
      (t, k) =>
        `<li><button type="button" data-series="${k}" aria-pressed="true"><span class="swatch" style="background:${temperatureColor(k, n)}"></span>T = ${t.toFixed(3)}</button></li>`,
    )
    .join('');
  const thinned = data.energy.roundsPerPoint > 1 ? ` Each point is the mean of ${data.energy.roundsPerPoint} consecutive rounds.` : '';
  return (
    `<section class="card" id="energy"><h2>Energy per spin, by temperature</h2>` +
    lineChart({ id: 'energy-chart', label: `energy per spin against round, ${n} temperatures`, xTitle: 'round', yTitle: 'energy per spin  E/N', series }) +
    `<ul class="legend" data-chart="energy-chart">${legend}</ul>` +
    `<p class="caption">Sampled at each temperature every round, before that round's swaps. Colder temperatures (blue) sit lower; click a temperature to hide or show it.${thinned}</p></section>`
  );
}

function swapSection(data: ReportData): string {
  const n = data.temperatures.length;
  const bars = data.swaps.map((s) => ({
    label: `${s.tLow.toFixed(2)}–${s.tHigh.toFixed(2)}`,
    value: s.acceptance,
    valueLabel: `${Math.round(100 * s.acceptance)}%`,
    title: `T ${s.tLow.toFixed(3)} ↔ ${s.tHigh.toFixed(3)}: ${s.accepted} of ${s.attempted} swaps accepted (${percent(s.acceptance)})`,
    color: temperatureColor(s.pair + 0.5, n),
  }));
  return (
    `<section class="card" id="swaps"><h2>Swap acceptance per neighbouring pair</h2>` +
    barChart({
      id: 'swap-chart',
      label: `swap acceptance of ${bars.length} neighbouring pairs`,
      xTitle: 'neighbouring temperatures',
      yTitle: 'swaps accepted',
      bars,
      yMax: Math.max(0.1, ...bars.map((b) => b.value)) <= 0.5 ? 0.5 : 1,
      yFormat: (v) => `${Math.round(v * 100)}%`,
    }) +
    `<p class="caption">Pairs (0,1), (2,3), … are tried in even rounds and (1,2), (3,4), … in odd ones, with the Metropolis criterion min(1, exp((1/Tₖ − 1/Tₖ₊₁)(Eₖ − Eₖ₊₁))).</p></section>`
  );
}

function timelineSection(data: ReportData): string {
  const { timeline } = data;
  if (timeline === null) {
    return `<section class="card" id="timeline"><h2>Servers</h2><p class="caption">A sequential run (<code>--sequential</code>): every replica ran in this process, so there is no server timeline.</p></section>`;
  }
  const phases = timeline.phases.map((p) => `${escapeHtml(p.label)} ${seconds(p.toMs - p.fromMs)}`).join(' · ');
  const resolution = timeline.resolutionMs > 0 ? ` Idle gaps up to ${timeline.resolutionMs.toFixed(3)} ms are drawn as busy; the percentages are exact.` : '';
  const rounds = roundsWindow(timeline);
  const zoom =
    rounds === undefined || rounds.toMs - rounds.fromMs > 0.8 * timeline.totalMs
      ? ''
      : `<h2 class="subchart">The exchange rounds alone</h2>` +
        timelineChart({
          id: 'timeline-rounds-chart',
          totalMs: timeline.totalMs,
          servers: timeline.servers,
          phases: [],
          fromMs: rounds.fromMs,
          toMs: rounds.toMs,
          share: (server) => rounds.shares[timeline.servers.indexOf(server)] ?? 0,
        }) +
        `<p class="caption">The same rows from the first round to the last; on the right, each server's busy share of the rounds. Idle time here is a server waiting for the slowest replica of its round and for the controller.</p>`;
  return (
    `<section class="card" id="timeline"><h2>Per-server timeline</h2>` +
    timelineChart({ id: 'timeline-chart', totalMs: timeline.totalMs, servers: timeline.servers, phases: timeline.phases }) +
    `<p class="caption">One row per server (host/slot): green while it runs a call, grey while idle; on the right, its busy share of the whole run. Phases: ${phases}.${resolution}</p>` +
    zoom +
    `</section>`
  );
}

function roundTimeSection(data: ReportData): string {
  if (data.roundTime === null) return '';
  const { roundTime } = data;
  const thinned = roundTime.roundsPerPoint > 1 ? ` Each point is the mean of ${roundTime.roundsPerPoint} consecutive rounds.` : '';
  return (
    `<section class="card" id="round-time"><h2>Wall time per round</h2>` +
    lineChart({
      id: 'round-time-chart',
      label: 'wall time of each round',
      xTitle: 'round',
      yTitle: 'ms',
      series: [{ label: 'wall time per round', color: '#4a5a70', x: roundTime.rounds, y: roundTime.ms }],
      height: 220,
      yFromZero: true,
    }) +
    `<p class="caption">From the end of one round to the end of the next: scatter, the slowest replica's sweeps, gather and the swap decisions.${thinned}</p></section>`
  );
}

function meansTable(data: ReportData): string {
  const rows = data.temperatures.map((t, k) => {
    const swap = data.swaps[k];
    return (
      `<tr><td>${t.toFixed(4)}</td><td>${data.means.energyPerSpin[k]!.toFixed(4)}</td><td>${data.means.absMagnetizationPerSpin[k]!.toFixed(4)}</td>` +
      `<td>${swap === undefined ? '' : `${percent(swap.acceptance)} of ${swap.attempted}`}</td></tr>`
    );
  });
  return (
    `<section class="card" id="means"><h2>Means per temperature</h2><table><thead><tr><th>T</th><th>⟨E⟩/N</th><th>⟨|M|⟩/N</th><th>swap with next T</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></section>`
  );
}

/** The page's script: legend buttons toggle lines; the download button saves the embedded data. */
const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  for (const legend of document.querySelectorAll('.legend[data-chart]')) {
    const chart = document.getElementById(legend.dataset.chart);
    legend.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-series]');
      if (!button) return;
      const shown = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', String(shown));
      chart.querySelector('.series[data-series="' + button.dataset.series + '"]').classList.toggle('hidden', !shown);
    });
  }
  document.getElementById('download').addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: 'report.json' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  const made = document.getElementById('generated');
  made.textContent = new Date(data.generatedAt).toLocaleString();
})();
`;

/**
 * The report as one self-contained HTML page: inline CSS, SVG charts drawn here (so the
 * page shows them even without script), a small inline script, and the data embedded as
 * `<script type="application/json" id="report-data">`. It loads nothing from anywhere.
 */
export function renderReportHtml(data: ReportData): string {
  const { config } = data;
  const title = `Replica exchange: ${config.replicas} replicas of a ${config.size}×${config.size} Ising lattice`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: blob:">
<title>${escapeHtml(title)} · Hostgrid demo</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<header class="card" id="summary">
<h1>${escapeHtml(title)}</h1>
<p class="sub">Parallel tempering on a Hostgrid · report made <span id="generated">${escapeHtml(data.generatedAt)}</span></p>
${summary(data)}
</header>
${energySection(data)}
${swapSection(data)}
${timelineSection(data)}
${roundTimeSection(data)}
${meansTable(data)}
<footer>The data of this page is embedded in it and written next to it as <code>report.json</code> <button type="button" class="action" id="download">Download report.json</button>. <code>result.json</code> holds the result alone, identical to a <code>--sequential</code> run's.</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
