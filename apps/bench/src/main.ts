/**
 * `npm run bench`: Hostgrid's local transport side by side with the raw floor (a bare
 * child process echoing the same msgpackr frames over the same fd-3 socket), every pair
 * measured in the same run, alternating which goes first, then summarised as the median
 * (min–max) over rounds. Prints a markdown table and writes `results/latest.json`.
 *
 * Flags: `--rounds N` (default 5), `--quick` (fewer calls, for a smoke run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Grid, type ServiceProxy } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { Adder } from './adder.js';
import { FloorClient } from './floor-client.js';
import { roundTrip, summary, throughput, type Call } from './measure.js';
import { place, type Placement } from './placement.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, quick: { type: 'boolean', default: false } } });
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench: --rounds must be a positive integer, got "${flags.rounds}"`);
  process.exit(2);
}
const RTT_CALLS = flags.quick ? 300 : 3000;
const WINDOW = 256;
const THROUGHPUT_MS = flags.quick ? 150 : 500;
const SLOTS = 2;

interface Row {
  readonly case: string;
  readonly placement: Placement;
  readonly unit: string;
  readonly floor: { median: number; min: number; max: number };
  readonly hostgrid: { median: number; min: number; max: number };
  /** hostgrid / floor */
  readonly ratio: number;
  readonly aim: string;
  readonly met: boolean;
}

/** Runs `a` and `b` alternately `rounds` times (a first on even rounds) and collects both. */
async function pair(a: () => Promise<number>, b: () => Promise<number>): Promise<[number[], number[]]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return [as, bs];
}

function row(name: string, placement: Placement, unit: string, floor: number[], grid: number[], aim: { kind: 'at most' | 'at least'; ratio: number }): Row {
  const f = summary(floor);
  const h = summary(grid);
  const ratio = h.median / f.median;
  return { case: name, placement, unit, floor: f, hostgrid: h, ratio, aim: `${aim.kind} ${aim.ratio}× floor`, met: aim.kind === 'at most' ? ratio <= aim.ratio : ratio >= aim.ratio };
}

const grid = await Grid.start({ hosts: [{ name: 'local', slots: SLOTS }], transport: localTransport() });
const floors = await Promise.all(Array.from({ length: SLOTS }, () => FloorClient.start()));
try {
  const id = await grid.publish(new Adder());
  const proxies: ServiceProxy<Adder>[] = await Promise.all(Array.from({ length: SLOTS }, () => grid.acquireService<Adder>(id)));
  const workerPids = [...grid.servers(id).map((server) => server.pid), ...floors.map((floor) => floor.child.pid!)];
  const gridCall = (proxy: ServiceProxy<Adder>): Call => () => proxy.add(1, 2);
  const floorCall = (floor: FloorClient): Call => () => floor.call('add', [1, 2]);
  // Warm both paths up (JIT, socket buffers) before anything is timed.
  await throughput([gridCall(proxies[0]!), floorCall(floors[0]!)], WINDOW, 300);

  const rows: Row[] = [];
  for (const placement of ['same', 'split'] as const) {
    place(placement, workerPids);
    const [f, h] = await pair(
      async () => (await roundTrip(floorCall(floors[0]!), RTT_CALLS)).p50,
      async () => (await roundTrip(gridCall(proxies[0]!), RTT_CALLS)).p50,
    );
    rows.push(row('tiny-call round trip p50', placement, 'µs', f, h, { kind: 'at most', ratio: 2 }));
    const [ft, ht] = await pair(
      () => throughput([floorCall(floors[0]!)], WINDOW, THROUGHPUT_MS),
      () => throughput([gridCall(proxies[0]!)], WINDOW, THROUGHPUT_MS),
    );
    rows.push(row(`pipelined, one proxy, ${WINDOW} in flight`, placement, 'calls/s', ft, ht, { kind: 'at least', ratio: 0.5 }));
  }
  place('free', workerPids);
  const [fa, ha] = await pair(
    () => throughput(floors.map(floorCall), WINDOW, THROUGHPUT_MS),
    () => throughput(proxies.map(gridCall), WINDOW, THROUGHPUT_MS),
  );
  rows.push(row(`pipelined, all ${SLOTS} slots, ${WINDOW} in flight each`, 'free', 'calls/s', fa, ha, { kind: 'at least', ratio: 0.5 }));
  const mib = new Float64Array(131_072).fill(Math.PI);
  const bulk = async (call: () => PromiseLike<unknown>): Promise<number> => {
    const start = performance.now();
    const n = flags.quick ? 5 : 30;
    for (let i = 0; i < n; i++) await call();
    return (2 * n) / ((performance.now() - start) / 1000);
  };
  const [fb, hb] = await pair(
    () => bulk(() => floors[0]!.call('echo', [mib])),
    () => bulk(() => proxies[0]!.echo(mib)),
  );
  rows.push(row('1 MiB Float64Array echo', 'free', 'MiB/s', fb, hb, { kind: 'at least', ratio: 0.5 }));

  const fmt = (n: number): string => (n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  const cell = (s: { median: number; min: number; max: number }): string => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  console.log(`\nHostgrid local transport vs raw floor — ${machine}; median (min–max) of ${rounds} alternating rounds\n`);
  console.log('| case | placement | unit | raw floor | Hostgrid | Hostgrid / floor | aim |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.case} | ${r.placement} | ${r.unit} | ${cell(r.floor)} | ${cell(r.hostgrid)} | ${r.ratio.toFixed(2)} | ${r.aim} ${r.met ? '✓' : '✗'} |`);
  const out = new URL('../results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('latest.json', out), `${JSON.stringify({ date: new Date().toISOString(), machine, rounds, rows }, null, 2)}\n`);
  console.log(`\nwritten: ${new URL('latest.json', out).pathname}`);
} finally {
  await grid.terminate({ cleanup: true });
  await Promise.all(floors.map((floor) => floor[Symbol.asyncDispose]()));
}
