// The page functions below run in chromium: they use the DOM's types (the build, which leaves tests out, never sees them).
/// <reference lib="dom" />
import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { launchChromium } from './fixtures/browser.js';
import { startCli } from './fixtures/cli.js';
import { screenshotDir } from './fixtures/screenshots.js';
import { tempDir } from './fixtures/temp-dir.js';

/** Long enough to watch for a few seconds: 4 replicas of 64x64 spins, 40 sweeps a round. */
const ROUNDS = 600;

describe('the live view in headless chromium', () => {
  it('shows the servers and the round progress going up during a run', { timeout: 180_000 }, async () => {
    await using out = await tempDir('hostgrid-demo-live-');
    await using shots = await screenshotDir();
    // the browser first, so that the page opens as soon as the URL is out
    await using chromium = await launchChromium();
    const page = await chromium.browser.newPage({ viewport: { width: 1100, height: 800 } });
    await using cli = startCli([
      '--rounds', String(ROUNDS), '--sweeps', '40', '--size', '64', '--tmin', '2.2', '--tmax', '2.35',
      '--live', '--out', out.path,
    ]);
    const [, url] = await cli.waitForOutput(/^live view: (http:\/\/127\.0\.0\.1:\d+\/)$/m, 60_000);

    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url!);

    const round = (): Promise<number> => page.evaluate(() => Number(document.getElementById('round')!.dataset.round));
    await page.waitForFunction(() => Number(document.getElementById('round')!.dataset.round) >= 1, undefined, { timeout: 60_000 });
    const first = await round();
    expect(first).toBeLessThan(ROUNDS);
    await page.waitForFunction((seen) => Number(document.getElementById('round')!.dataset.round) > seen, first, { timeout: 60_000 });
    const later = await round();
    expect(later).toBeGreaterThan(first);
    await expect(page.locator('#round').innerText()).resolves.toMatch(new RegExp(`^\\d+ of ${ROUNDS}$`));

    // every server is listed under its host, and is up
    expect(await page.locator('.host').count()).toBe(1);
    const servers = page.locator('.host[data-host="local"] .server');
    expect(await servers.count()).toBe(4);
    const states = await servers.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.state));
    expect(states.every((s) => s === 'busy' || s === 'free')).toBe(true);
    await expect(page.locator('#status').innerText()).resolves.toBe('running');
    await page.waitForFunction(() => Number(document.getElementById('cps')!.textContent) > 0, undefined, { timeout: 60_000 });

    const shot = shots.file('live.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);

    // the run finishes; the page shows it, and the server has closed
    const done = await cli.done;
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`round ${ROUNDS}/${ROUNDS}`);
    await page.waitForFunction(() => document.getElementById('status')!.dataset.phase === 'finished', undefined, { timeout: 30_000 });
    await expect(page.locator('#round').innerText()).resolves.toBe(`${ROUNDS} of ${ROUNDS}`);
    await page.waitForFunction(() => document.getElementById('note')!.textContent !== '', undefined, { timeout: 30_000 });
    await expect(fetch(url!, { signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
    expect(errors).toEqual([]);
  });
});
