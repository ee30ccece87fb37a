// The page functions below run in chromium: they use the DOM's types (the build, which leaves tests out, never sees them).
/// <reference lib="dom" />
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { launchChromium } from './fixtures/browser.js';
import { runCli } from './fixtures/cli.js';
import { screenshotDir } from './fixtures/screenshots.js';
import { tempDir } from './fixtures/temp-dir.js';

const ROUNDS = 60;

describe('the HTML report in headless chromium', () => {
  it('opens from file:// with no network and shows its three plots with data', { timeout: 120_000 }, async () => {
    await using out = await tempDir('hostgrid-demo-report-');
    await using shots = await screenshotDir();
    const run = await runCli([
      '--hosts', 'alpha,beta', '--slots', '2', '--rounds', String(ROUNDS), '--sweeps', '4', '--size', '12',
      '--tmin', '2.1', '--tmax', '2.5', '--seed', '11', '--out', out.path,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const file = join(out.path, 'report.html');

    await using chromium = await launchChromium();
    const page = await chromium.browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);

    // the data is embedded, and is report.json
    const embedded = await page.evaluate(() => JSON.parse(document.getElementById('report-data')!.textContent!) as unknown);
    expect(embedded).toEqual(JSON.parse(await readFile(join(out.path, 'report.json'), 'utf8')));

    // energy: one line per temperature, each with a point per round
    const lines = page.locator('#energy-chart polyline.series');
    expect(await lines.count()).toBe(4);
    const points = await lines.evaluateAll((els) => els.map((el) => (el as SVGPolylineElement).points.numberOfItems));
    expect(points).toEqual([ROUNDS, ROUNDS, ROUNDS, ROUNDS]);
    const heights = await lines.evaluateAll((els) => els.map((el) => (el as SVGGraphicsElement).getBBox().height));
    expect(heights.every((h) => h > 5)).toBe(true); // the traces move
    expect(await page.locator('.legend[data-chart="energy-chart"] button').count()).toBe(4);

    // swaps: one bar per neighbouring pair, and some accepted
    const bars = page.locator('#swap-chart rect.bar');
    expect(await bars.count()).toBe(3);
    const values = await bars.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-value'))));
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(values.some((v) => v > 0)).toBe(true);

    // timeline: one row per server, each with at least one busy segment drawn
    const rows = page.locator('#timeline-chart g.tl-row');
    expect(await rows.count()).toBe(4);
    const drawn = await rows.evaluateAll((els) =>
      els.map((el) => ({
        name: `${el.getAttribute('data-host')}/${el.getAttribute('data-slot')}`,
        segments: Number(el.getAttribute('data-segments')),
        width: (el.querySelector('path.busy') as SVGGraphicsElement).getBBox().width,
      })),
    );
    expect(drawn.map((r) => r.name)).toEqual(['alpha/0', 'alpha/1', 'beta/0', 'beta/1']);
    for (const row of drawn) {
      expect(row.segments).toBeGreaterThanOrEqual(1);
      expect(row.width).toBeGreaterThan(0);
    }

    // a short run spends most of its time starting: the rounds then get a chart of their own
    if ((await page.locator('#timeline-rounds-chart').count()) === 1) {
      expect(await page.locator('#timeline-rounds-chart g.tl-row').count()).toBe(4);
    }

    // the summary, and the legend hides a line
    await expect(page.locator('#summary').innerText()).resolves.toMatch(/alpha×2, beta×2/);
    await page.locator('.legend button[data-series="2"]').click();
    expect(await page.locator('#energy-chart polyline.series.hidden').count()).toBe(1);
    await page.locator('.legend button[data-series="2"]').click();

    const shot = shots.file('report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);

    expect(errors).toEqual([]);
    expect(requests.every((url) => url.startsWith('file:') || url.startsWith('data:'))).toBe(true);
  });
});
