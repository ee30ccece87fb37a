import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from './config.js';
import { tempDir } from './fixtures/temp-dir.js';
import { buildReportData } from './report-data.js';
import { runSequential } from './sequential.js';
import { resolveOutDir, writeOutput } from './write-output.js';

const config: ExchangeConfig = { replicas: 3, rounds: 6, sweeps: 1, size: 4, tmin: 2, tmax: 3, seed: 4 };

describe('resolveOutDir', () => {
  it('keeps absolute paths and takes relative ones from the current folder', () => {
    expect(resolveOutDir('/abs/out', {}, '/here')).toBe('/abs/out');
    expect(resolveOutDir('out', {}, '/here')).toBe('/here/out');
  });

  it("takes them from npm's INIT_CWD when npm runs the demo's own script", () => {
    expect(resolveOutDir('out', { npm_package_name: '@hostgrid/demo', INIT_CWD: '/repo' }, '/repo/apps/demo')).toBe('/repo/out');
    // another package's script (npm test at the root, say) does not count
    expect(resolveOutDir('out', { npm_package_name: 'hostgrid', INIT_CWD: '/elsewhere' }, '/here')).toBe('/here/out');
  });
});

describe('writeOutput', () => {
  it('writes result.json exactly as before, report.json and a report.html that embeds it', async () => {
    await using dir = await tempDir('hostgrid-demo-write-');
    const result = await runSequential(config);
    const report = buildReportData(result, { run: { transport: 'sequential', hosts: [], wallMs: 3, servers: [] } });
    const out = join(dir.path, 'nested', 'out');
    const files = await writeOutput(out, result, report);
    expect(files).toEqual({ result: join(out, 'result.json'), reportJson: join(out, 'report.json'), reportHtml: join(out, 'report.html') });
    expect(await readFile(files.result, 'utf8')).toBe(`${JSON.stringify(result, null, 2)}\n`);
    expect(JSON.parse(await readFile(files.reportJson, 'utf8'))).toEqual(report);
    const html = await readFile(files.reportHtml, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<script type="application/json" id="report-data">');
    // no timings in result.json
    expect(await readFile(files.result, 'utf8')).not.toMatch(/wallMs|busyMs|generatedAt/);
  });
});
