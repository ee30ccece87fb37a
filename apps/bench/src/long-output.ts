/**
 * `node apps/bench/dist/long-output.js [MiB …]` (default 4 8 16 32): how long the
 * controller takes to take in a worker's `\r` progress bar of that many MiB with no line
 * end (4 KiB writes), until the line after it arrives, and the controller's peak RSS
 * (sampled every 5 ms). One grid of one local slot per size, so that each size starts
 * from a fresh process's memory only when run alone: run one size per invocation for
 * memory figures. Not part of `npm run bench` (no floor to compare with).
 */
import { Grid } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';

const sizes = process.argv.slice(2).map(Number);
const grid = await Grid.start({ hosts: [{ name: 'local', slots: 1 }], transport: localTransport() });
try {
  const id = await grid.publish({ module: new URL('./progress-bar.js', import.meta.url), export: 'ProgressBar' });
  for (const mib of sizes.length > 0 ? sizes : [4, 8, 16, 32]) {
    const after = `after ${mib} MiB`;
    let arrived!: () => void;
    const done = new Promise<void>((resolve) => (arrived = resolve));
    const onOutput = (event: { line: string }): void => {
      if (event.line === after) arrived();
    };
    grid.on('output', onOutput);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const start = performance.now();
    await grid.call(id, 'draw', [mib * 1024 * 1024, 4096, after]);
    await done;
    const ms = performance.now() - start;
    clearInterval(sampler);
    grid.off('output', onOutput);
    console.log(`${mib} MiB: ${ms.toFixed(0)} ms, controller peak RSS ${(Math.max(peak, process.memoryUsage().rss) / 1e6).toFixed(0)} MB`);
  }
} finally {
  await grid.terminate({ cleanup: true });
}
