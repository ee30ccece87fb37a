/** The CSS the report and the live view share: a light page, cards, charts that fit the width. */
export const PAGE_CSS = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5b6675; --line: #d9dee5; --bg: #f6f7f9; --card: #fff; --accent: #2f7d5b; --warn: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1080px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 0 0 4px; }
h2.subchart { font-size: 15px; margin-top: 18px; }
.sub, .caption, small { color: var(--muted); }
.sub { margin: 0 0 16px; }
.caption { font-size: 13px; margin: 4px 0 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 0 0 16px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px 18px; margin: 0; }
.facts div { min-width: 0; }
.facts dt { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.facts dd { margin: 0; font-size: 16px; font-weight: 600; overflow-wrap: anywhere; }
svg.chart { display: block; width: 100%; height: auto; margin-top: 6px; }
svg.chart text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--muted); }
svg.chart .axis-title { font-size: 12px; fill: var(--fg); }
svg.chart .gridline { stroke: #e8ebef; stroke-width: 1; pointer-events: none; }
svg.chart .axis { stroke: #8a94a3; stroke-width: 1; }
svg.chart .series { stroke-width: 1.6; stroke-linejoin: round; opacity: .9; }
svg.chart .series.hidden { display: none; }
svg.chart .bar-value { fill: var(--fg); font-weight: 600; }
svg.chart .idle { fill: #eceff3; }
svg.chart .phase-label { fill: var(--fg); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 6px; padding: 0; margin: 8px 0 0; }
.legend button { font: inherit; font-size: 13px; border: 1px solid var(--line); background: #fff; border-radius: 999px; padding: 2px 10px 2px 6px; cursor: pointer; color: var(--fg); }
.legend button[aria-pressed="false"] { opacity: .4; }
.swatch { display: inline-block; width: 14px; height: 4px; border-radius: 2px; vertical-align: middle; margin-right: 6px; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: right; }
th { color: var(--muted); font-weight: 600; }
footer { color: var(--muted); font-size: 13px; }
button.action { font: inherit; font-size: 13px; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
`;
