#!/usr/bin/env node
/**
 * Measures sgeTransport on a real single-node SGE (from @hostgrid/testbed; run as root
 * after `npx turbo run build --filter=@hostgrid/launcher-sge... --filter=@hostgrid/transport-local`):
 *
 *   node packages/launcher-sge/scripts/measure.mjs [--rounds N] [--slots N] [--calls N]
 *
 * It stands up SGE, submits itself as a parallel job (`qsub -pe smp <slots>`), and inside
 * the job measures, in alternating rounds:
 *   - Grid.start to all slots ready: sgeTransport (qrsh -inherit) against localTransport;
 *   - the tiny call `add(1, 2)` round trip on one slot (sequential calls, p50 and p90):
 *     over qrsh -inherit, over the local transport, and a raw floor (16 bytes echoed by
 *     `cat` through one qrsh -inherit task's stdin and stdout, no Hostgrid in the way).
 * Prints a table (medians over rounds); the machine is shared and noisy, so compare the
 * columns of one run, not runs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const load = (path) => import(pathToFileURL(join(REPO, path)).href);

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    slots: { type: 'string', default: '4' },
    calls: { type: 'string', default: '2000' },
    'in-job': { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const slots = Number(values.slots);
const calls = Number(values.calls);

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** Sequential round trips of `call`, after a warm-up: p50 and p90 in µs. */
async function roundTrips(call) {
  for (let i = 0; i < 300; i += 1) await call();
  const times = [];
  for (let i = 0; i < calls; i += 1) {
    const start = performance.now();
    await call();
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p90: percentile(times, 0.9) };
}

/** A raw floor: one qrsh -inherit task running `cat`, 16 bytes written and read back per round trip. */
async function qrshFloor(host) {
  const child = spawn('qrsh', ['-inherit', host, 'exec cat'], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  let waiting;
  let got = 0;
  child.stdout.on('data', (chunk) => {
    got += chunk.length;
    if (got >= 16 && waiting) {
      got -= 16;
      const resolve = waiting;
      waiting = undefined;
      resolve();
    }
  });
  const message = Buffer.alloc(16, 1);
  const call = () => new Promise((resolve) => {
    waiting = resolve;
    child.stdin.write(message);
  });
  // The task is up once the first echo comes back.
  await call();
  return { call, close: () => new Promise((resolve) => { child.once('close', resolve); child.stdin.end(); }) };
}

async function inJob(outFile) {
  const { Grid } = await load('packages/core/dist/index.js');
  const { localTransport } = await load('packages/transport-local/dist/index.js');
  const { sgeHosts, sgeTransport } = await load('packages/launcher-sge/dist/index.js');
  const work = await mkdtemp(join(process.cwd(), 'measure-'));
  const adder = join(work, 'adder.mjs');
  await writeFile(adder, 'export class Adder { add(a, b) { return a + b; } }\n');
  const [host] = sgeHosts();
  const setups = {
    sge: (n) => ({ hosts: [{ name: host.name, slots: n }], transport: sgeTransport({ tempDir: work }) }),
    local: (n) => ({ hosts: [{ name: 'local', slots: n }], transport: localTransport() }),
  };
  const result = { host: host.name, slots, rounds, calls, start: { sge: [], local: [] }, rtt: { sge: [], local: [], floor: [] } };
  for (let round = 0; round < rounds; round += 1) {
    for (const name of round % 2 === 0 ? ['sge', 'local'] : ['local', 'sge']) {
      const began = performance.now();
      const grid = await Grid.start(setups[name](slots));
      result.start[name].push(performance.now() - began);
      await grid.terminate({ cleanup: true });
    }
    for (const name of round % 2 === 0 ? ['sge', 'local', 'floor'] : ['floor', 'local', 'sge']) {
      if (name === 'floor') {
        const floor = await qrshFloor(host.name);
        result.rtt.floor.push(await roundTrips(floor.call));
        await floor.close();
        continue;
      }
      const grid = await Grid.start(setups[name](1));
      const id = await grid.publish({ module: pathToFileURL(adder).href, export: 'Adder' });
      const proxy = await grid.acquireService(id);
      result.rtt[name].push(await roundTrips(() => proxy.add(1, 2)));
      await grid.terminate({ cleanup: true });
    }
  }
  await rm(work, { recursive: true, force: true });
  await writeFile(outFile, JSON.stringify(result));
}

async function outside() {
  const { startSge } = await load('tooling/testbed/dist/index.js');
  const sge = await startSge({ slots, name: 'measure' });
  const dir = await mkdtemp(join(tmpdir(), 'hostgrid-measure-sge-'));
  try {
    const out = join(dir, 'result.json');
    const script = fileURLToPath(import.meta.url);
    const id = await sge.qsub(['-pe', 'smp', String(slots), '-N', 'hostgrid-measure', '-wd', dir, '-o', join(dir, 'job.out'), '-j', 'y', '-b', 'y', process.execPath, script, '--rounds', String(rounds), '--slots', String(slots), '--calls', String(calls), '--in-job', out]);
    const job = await sge.waitForJob(id, { timeoutMs: 1_800_000 });
    if (job.exitStatus !== 0) {
      const accounting = (await sge.run('qacct', ['-j', String(id)])).stdout;
      throw new Error(`the measuring job ended with ${job.exitStatus}: ${await readFile(join(dir, 'job.out'), 'utf8').catch(() => '')}\n${accounting}`);
    }
    const r = JSON.parse(await readFile(out, 'utf8'));
    const ms = (list) => `${median(list).toFixed(0)} ms (${Math.min(...list).toFixed(0)}–${Math.max(...list).toFixed(0)})`;
    const us = (list, key) => `${median(list.map((x) => x[key])).toFixed(0)} µs`;
    const lines = [
      `SGE 8.1.9, single node (${r.host}), ${r.slots} slots; ${r.rounds} alternating rounds, median (min–max); ${r.calls} sequential calls per round`,
      '',
      '| measure | sgeTransport (qrsh -inherit) | localTransport | raw qrsh -inherit stdio (cat) |',
      '| --- | --- | --- | --- |',
      `| Grid.start to all ${r.slots} slots ready | ${ms(r.start.sge)} | ${ms(r.start.local)} | |`,
      `| tiny call add(1, 2) round trip, p50 | ${us(r.rtt.sge, 'p50')} | ${us(r.rtt.local, 'p50')} | ${us(r.rtt.floor, 'p50')} |`,
      `| tiny call add(1, 2) round trip, p90 | ${us(r.rtt.sge, 'p90')} | ${us(r.rtt.local, 'p90')} | ${us(r.rtt.floor, 'p90')} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await sge.stop();
    if (process.env.KEEP === undefined) await rm(dir, { recursive: true, force: true });
  }
}

await (values['in-job'] === undefined ? outside() : inJob(values['in-job']));
