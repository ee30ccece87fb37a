import { escapeHtml, jsonForScript } from './html.js';
import type { LiveSnapshot } from './live-state.js';
import { PAGE_CSS } from './page-style.js';

const LIVE_CSS = `
.status { display: inline-block; font-size: 13px; font-weight: 600; border-radius: 999px; padding: 2px 10px; margin-left: 8px; vertical-align: middle; background: #e6f2e9; color: var(--accent); }
.status[data-phase="failed"], .status[data-phase="closed"] { background: #f8e1df; color: var(--warn); }
.status[data-phase="finished"] { background: #e8eef7; color: #2d4f86; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; margin-bottom: 16px; }
.cards .card { margin: 0; }
.big { font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; }
progress { width: 100%; height: 10px; accent-color: var(--accent); }
#cps-spark { width: 100%; height: 34px; display: block; }
#cps-spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.host { margin-bottom: 12px; }
.host h3 { font-size: 15px; margin: 0 0 6px; }
.servers { display: flex; flex-wrap: wrap; gap: 6px; }
.server { width: 150px; border: 1px solid var(--line); border-radius: 6px; padding: 5px 8px; font-size: 12px; background: #fafbfc; font-variant-numeric: tabular-nums; }
.server b { font-size: 13px; }
.server .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 5px; background: #b8c0cc; }
.server[data-state="busy"] { border-color: #9fceb6; background: #eef8f2; }
.server[data-state="busy"] .dot { background: var(--accent); }
.server[data-state="lost"] .dot { background: var(--warn); }
.server .util { height: 4px; background: #e3e7ec; border-radius: 2px; margin-top: 4px; overflow: hidden; }
.server .util span { display: block; height: 100%; background: var(--accent); }
`;

/** The page's script: follows `/events` (Server-Sent Events), or polls `/state` where there is no EventSource. */
const SCRIPT = `
(() => {
  const $ = (id) => document.getElementById(id);
  const rates = [];
  let last = null;
  let ended = false;
  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
  function spark() {
    const max = Math.max(1, ...rates);
    const step = 200 / Math.max(1, rates.length - 1);
    const pts = rates.map((r, i) => (i * step).toFixed(1) + ',' + (32 - 30 * r / max).toFixed(1)).join(' ');
    $('cps-spark').querySelector('polyline').setAttribute('points', pts);
  }
  function server(host, s) {
    const el = document.createElement('div');
    el.className = 'server';
    el.dataset.host = host.name;
    el.dataset.slot = String(s.slot);
    el.dataset.state = s.state;
    el.title = host.name + '/' + s.slot + ': ' + s.state + ', ' + plural(s.calls, 'call') + ', mean ' + s.meanMs.toFixed(2) + ' ms';
    const head = document.createElement('div');
    const dot = document.createElement('span');
    dot.className = 'dot';
    const name = document.createElement('b');
    name.textContent = 'slot ' + s.slot;
    head.append(dot, name, ' ' + s.state);
    const info = document.createElement('div');
    info.textContent = plural(s.calls, 'call') + ' · ' + Math.round(100 * s.utilization) + '% busy';
    const util = document.createElement('div');
    util.className = 'util';
    const bar = document.createElement('span');
    bar.style.width = Math.round(100 * s.utilization) + '%';
    util.append(bar);
    el.append(head, info, util);
    return el;
  }
  function render(state) {
    last = state;
    const status = $('status');
    status.dataset.phase = state.phase;
    status.textContent = state.phase === 'failed' ? 'failed: ' + (state.message || '') : state.phase;
    $('elapsed').textContent = (state.elapsedMs / 1000).toFixed(1) + ' s';
    const round = $('round');
    round.dataset.round = String(state.round);
    round.textContent = state.round + ' of ' + state.rounds;
    $('round-progress').max = state.rounds;
    $('round-progress').value = state.round;
    $('swaps').textContent = state.accepted + ' of ' + state.attempted;
    $('swap-rate').textContent = state.attempted > 0 ? (100 * state.accepted / state.attempted).toFixed(1) + '% accepted between neighbouring temperatures' : '';
    $('cps').textContent = state.callsPerSecond.toFixed(0);
    $('calls').textContent = plural(state.calls, 'call') + ' in all';
    rates.push(state.callsPerSecond);
    if (rates.length > 60) rates.shift();
    spark();
    const all = state.hosts.flatMap((h) => h.servers);
    $('busy').textContent = all.filter((s) => s.state === 'busy').length + ' of ' + all.length;
    $('up').textContent = all.filter((s) => s.state === 'busy' || s.state === 'free').length + ' up, ' + all.filter((s) => s.state === 'lost').length + ' lost';
    const hosts = state.hosts.map((host) => {
      const box = document.createElement('div');
      box.className = 'host';
      box.dataset.host = host.name;
      const title = document.createElement('h3');
      title.textContent = host.name + (host.address ? ' (' + host.address + ')' : '') + ' · ' + plural(host.servers.length, 'server');
      const list = document.createElement('div');
      list.className = 'servers';
      list.append(...host.servers.map((s) => server(host, s)));
      box.append(title, list);
      return box;
    });
    $('hosts').replaceChildren(...hosts);
  }
  function closed() {
    ended = true;
    const status = $('status');
    if (!last || (last.phase !== 'finished' && last.phase !== 'failed')) {
      status.dataset.phase = 'closed';
      status.textContent = 'disconnected';
    }
    $('note').textContent = 'The run has ended and the demo no longer serves this page; its report is in the output folder.';
  }
  render(JSON.parse($('live-initial').textContent));
  if (typeof EventSource === 'function') {
    const events = new EventSource('events');
    events.onmessage = (event) => render(JSON.parse(event.data));
    events.addEventListener('end', () => { events.close(); closed(); });
    events.onerror = () => {
      if (last && (last.phase === 'finished' || last.phase === 'failed')) { events.close(); closed(); }
    };
  } else {
    const poll = async () => {
      try {
        const response = await fetch('state', { cache: 'no-store' });
        render(await response.json());
        if (last.phase !== 'finished' && last.phase !== 'failed') setTimeout(poll, 500); else closed();
      } catch { closed(); }
    };
    setTimeout(poll, 500);
  }
})();
`;

/**
 * The live view's page: cards for round progress, swaps, calls per second and busy
 * servers, then every host with its servers; it starts from `initial` and follows the
 * demo's `/events` stream. Self-contained like the report: it loads nothing else.
 */
export function renderLivePage(initial: LiveSnapshot): string {
  const { config } = initial;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Live · Hostgrid demo</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}${LIVE_CSS}</style>
</head>
<body>
<main>
<header class="card">
<h1>Hostgrid demo, live <span class="status" id="status" data-phase="${escapeHtml(initial.phase)}">${escapeHtml(initial.phase)}</span></h1>
<p class="sub">Replica exchange of ${config.replicas} replicas of a ${config.size}×${config.size} Ising lattice, ${config.rounds} rounds of ${config.sweeps} sweeps, T ${config.tmin.toFixed(2)} … ${config.tmax.toFixed(2)}, seed ${config.seed} · transport ${escapeHtml(initial.transport)} · running for <span id="elapsed">0.0 s</span></p>
<p class="caption" id="note"></p>
</header>
<section class="cards">
<div class="card"><h2>Round</h2><div class="big" id="round" data-round="0">0 of ${config.rounds}</div><progress id="round-progress" max="${config.rounds}" value="0"></progress></div>
<div class="card"><h2>Swaps accepted</h2><div class="big" id="swaps">0 of 0</div><small id="swap-rate"></small></div>
<div class="card"><h2>Calls per second</h2><div class="big" id="cps">0</div><svg id="cps-spark" viewBox="0 0 200 34" preserveAspectRatio="none"><polyline points=""/></svg><small id="calls">0 calls in all</small></div>
<div class="card"><h2>Servers busy</h2><div class="big" id="busy">0 of 0</div><small id="up"></small></div>
</section>
<section class="card"><h2>Hosts</h2><div id="hosts"></div></section>
</main>
<script type="application/json" id="live-initial">${jsonForScript(initial)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
