/**
 * The WebSocket transport against a raw ws echo of the same frames, in one run: tiny-call
 * round trip and pipelined throughput (256 in flight) with `ws://` and `wss://`, under
 * both CPU placements. Hostgrid's worker is a slot started by a real host agent
 * (`hostgrid-worker --connect`) on this machine; the floor is a bare ws server and client.
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Grid, bundledWorkerEntry, type ServiceProxy, type Transport } from '@hostgrid/core';
import { Adder } from './adder.js';
import { roundTrip, throughput, type Call } from './measure.js';
import { place } from './placement.js';
import { pair, row, type Row } from './table.js';
import { makeCertificates, type TestCertificates } from '@hostgrid/testbed';
import { WsFloor } from './ws-floor.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const WINDOW = 256;

/** What this group uses of `@hostgrid/transport-ws`. */
interface WsModule {
  generateToken(): string;
  wsTransport(options: { listen: { host: string; port: number }; token: string; tls?: { cert: Buffer; key: Buffer } }): Promise<Transport & { readonly url: string }>;
}

/**
 * `@hostgrid/transport-ws`, imported by name at run time: this package's package.json
 * does not list it (adding it needs a lockfile update), so its build must not depend on
 * the transport's types being built first.
 */
async function loadWs(): Promise<WsModule> {
  const name: string = '@hostgrid/transport-ws';
  return (await import(name)) as WsModule;
}

/** A grid over wsTransport on 127.0.0.1 with one host agent (1 slot), Adder published. */
async function wsGrid(certs: TestCertificates | undefined): Promise<{ proxy: ServiceProxy<Adder>; pids: number[]; close: () => Promise<void> }> {
  const { generateToken, wsTransport } = await loadWs();
  const token = generateToken();
  const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, ...(certs === undefined ? {} : { tls: { cert: certs.cert, key: certs.key } }) });
  const agent = spawn(
    process.execPath,
    [bundledWorkerEntry(), '--connect', transport.url, '--host', 'local', '--slots', '1', '--retry-for', '5', ...(certs === undefined ? [] : ['--ca', certs.caFile])],
    { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, HOSTGRID_TOKEN: token } },
  );
  const gone = new Promise((resolve) => agent.once('exit', resolve));
  const grid = await Grid.start({ hosts: [{ name: 'local', slots: 1 }], transport });
  await grid.copyFiles(HERE, ['adder.js']);
  const id = await grid.publish(new Adder());
  const proxy = await grid.acquireService<Adder>(id);
  return {
    proxy,
    pids: [agent.pid!, grid.servers(id)[0]!.pid],
    close: async () => {
      await grid.terminate({ cleanup: true });
      agent.kill('SIGTERM');
      await gone;
    },
  };
}

/** Runs the ws group. */
export async function benchWs(rounds: number, quick: boolean): Promise<{ rows: Row[]; notes: string[] }> {
  const rttCalls = quick ? 300 : 3000;
  const throughputMs = quick ? 150 : 500;
  const certs = await makeCertificates(['127.0.0.1']);
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    for (const tls of [false, true]) {
      const scheme = tls ? 'wss' : 'ws';
      const floorName = `raw ${scheme} echo`;
      const grid = await wsGrid(tls ? certs : undefined);
      const floor = await WsFloor.start(true, tls ? certs : undefined);
      const single = await WsFloor.start(false, tls ? certs : undefined);
      try {
        const gridCall: Call = () => grid.proxy.add(1, 2);
        const floorCall: Call = () => floor.call('add', [1, 2]);
        const singleCall: Call = () => single.call('add', [1, 2]);
        const pids = [...grid.pids, floor.child.pid!, single.child.pid!];
        await throughput([gridCall, floorCall, singleCall], WINDOW, 300);
        for (const placement of ['same', 'split'] as const) {
          place(placement, pids);
          const [f, h] = await pair(rounds, async () => (await roundTrip(floorCall, rttCalls)).p50, async () => (await roundTrip(gridCall, rttCalls)).p50);
          rows.push(row(`tiny-call round trip p50, ${scheme}`, placement, 'µs', floorName, f, h, { kind: 'at most', ratio: 1.5 }));
          const [ft, ht] = await pair(rounds, () => throughput([floorCall], WINDOW, throughputMs), () => throughput([gridCall], WINDOW, throughputMs));
          rows.push(row(`pipelined, ${WINDOW} in flight, ${scheme}`, placement, 'calls/s', floorName, ft, ht, { kind: 'at least', ratio: 0.67 }));
          if (placement === 'split') {
            const [batched, unbatched] = await pair(rounds, () => throughput([floorCall], WINDOW, throughputMs), () => throughput([singleCall], WINDOW, throughputMs));
            const b = median(batched);
            const u = median(unbatched);
            notes.push(
              `Batching pays (${scheme}, split): the raw floor sending one WebSocket message per frame makes ${Math.round(u).toLocaleString('en-US')} calls/s with ${WINDOW} in flight, against ${Math.round(b).toLocaleString('en-US')} when every frame of a turn goes in one message (${(b / u).toFixed(1)}×); Hostgrid batches per turn.`,
            );
          }
        }
        place('free', pids);
      } finally {
        await grid.close();
        await floor[Symbol.asyncDispose]();
        await single[Symbol.asyncDispose]();
      }
    }
  } finally {
    await certs[Symbol.asyncDispose]();
  }
  notes.push('Aims: round trip at most 1.5× the raw echo, pipelined at least 0.67× (within 1.5×). Hostgrid and both floors run on this machine over 127.0.0.1.');
  return { rows, notes };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
