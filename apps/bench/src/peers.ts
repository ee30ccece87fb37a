/**
 * Hostgrid's local transport against the peers a user would pick instead, on the same
 * work (`add(1, 2)`) in the same run, alternating which goes first each round:
 * workerpool (a pool of child processes, as many as the grid has slots) and Moleculer
 * (two brokers on its TCP transporter over loopback). Aim: faster than each peer.
 */
import { Grid, type ServiceProxy } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { Adder } from './adder.js';
import { roundTrip, throughput, type Call } from './measure.js';
import { startMoleculer } from './peer-moleculer.js';
import { startWorkerpool } from './peer-workerpool.js';
import { place, type Placement } from './placement.js';
import { pair, row, type Aim, type Row } from './table.js';

const WINDOW = 256;
/** Grid slots, and workerpool workers: the same number on both sides. */
const SLOTS = 2;

interface Sizes {
  readonly rounds: number;
  readonly rttCalls: number;
  readonly throughputMs: number;
}

const latencyAim = (peer: string): Aim => ({ kind: 'at most', ratio: 1, text: `faster than ${peer}` });
const throughputAim = (peer: string): Aim => ({ kind: 'at least', ratio: 1, text: `faster than ${peer}` });

/**
 * Round trip of one call at a time, the peer's against Hostgrid's in the same rounds:
 * two rows from the same runs, the p50 of single calls and the mean (wall time / calls).
 */
async function roundTripRows(sizes: Sizes, peer: string, placement: Placement, peerCall: Call, gridCall: Call): Promise<Row[]> {
  const means: [number[], number[]] = [[], []];
  const [p, h] = await pair(
    sizes.rounds,
    async () => {
      const { p50, mean } = await roundTrip(peerCall, sizes.rttCalls);
      means[0].push(mean);
      return p50;
    },
    async () => {
      const { p50, mean } = await roundTrip(gridCall, sizes.rttCalls);
      means[1].push(mean);
      return p50;
    },
  );
  return [
    row('tiny-call round trip p50', placement, 'µs', peer, p, h, latencyAim(peer)),
    row('tiny-call round trip, mean (wall / calls)', placement, 'µs', peer, means[0], means[1], latencyAim(peer)),
  ];
}

/** Pipelined throughput with `WINDOW` calls in flight in all on each side. */
async function throughputRow(sizes: Sizes, name: string, peer: string, placement: Placement, peerCallers: Call[], gridCallers: Call[]): Promise<Row> {
  const [p, h] = await pair(
    sizes.rounds,
    () => throughput(peerCallers, WINDOW / peerCallers.length, sizes.throughputMs),
    () => throughput(gridCallers, WINDOW / gridCallers.length, sizes.throughputMs),
  );
  return row(name, placement, 'calls/s', peer, p, h, throughputAim(peer));
}

/**
 * workerpool with {@link SLOTS} child processes against a grid of {@link SLOTS} local
 * slots: round trip under both placements; {@link WINDOW} calls in flight over all
 * workers (workerpool's `proxy()` queues them in the pool and hands each worker one task
 * at a time, its design; the grid spreads them over one proxy per slot).
 */
async function againstWorkerpool(sizes: Sizes, proxies: ServiceProxy<Adder>[], gridPids: number[]): Promise<Row[]> {
  const peer = `workerpool (${SLOTS} processes)`;
  await using pool = await startWorkerpool(SLOTS);
  const gridCalls: Call[] = proxies.map((proxy) => () => proxy.add(1, 2));
  const pids = [...gridPids, ...pool.pids];
  await throughput([pool.add], WINDOW, 300);
  await throughput(gridCalls, WINDOW / gridCalls.length, 300);
  const rows: Row[] = [];
  for (const placement of ['same', 'split'] as const) {
    place(placement, pids);
    rows.push(...(await roundTripRows(sizes, peer, placement, pool.add, gridCalls[0]!)));
  }
  place('free', pids);
  rows.push(await throughputRow(sizes, `pipelined, ${WINDOW} in flight over ${SLOTS} workers`, peer, 'free', [pool.add], gridCalls));
  return rows;
}

/**
 * Moleculer (a caller broker here, the `math` service in a child process, TCP over
 * loopback) against one Hostgrid proxy on the local transport: round trip and
 * {@link WINDOW} calls in flight to one node / one proxy, under both placements.
 */
async function againstMoleculer(sizes: Sizes, proxy: ServiceProxy<Adder>, gridPids: number[]): Promise<Row[]> {
  const peer = 'Moleculer TCP (loopback)';
  await using moleculer = await startMoleculer();
  const gridCall: Call = () => proxy.add(1, 2);
  const pids = [...gridPids, moleculer.pid];
  await throughput([moleculer.add], WINDOW, 300);
  await throughput([gridCall], WINDOW, 300);
  const rows: Row[] = [];
  for (const placement of ['same', 'split'] as const) {
    place(placement, pids);
    rows.push(...(await roundTripRows(sizes, peer, placement, moleculer.add, gridCall)));
    rows.push(await throughputRow(sizes, `pipelined, one proxy / one node, ${WINDOW} in flight`, peer, placement, [moleculer.add], [gridCall]));
  }
  place('free', pids);
  return rows;
}

/** The peer comparisons: workerpool, then Moleculer, each against Hostgrid's local transport. */
export async function benchPeers(rounds: number, quick: boolean): Promise<Row[]> {
  const sizes: Sizes = { rounds, rttCalls: quick ? 300 : 2000, throughputMs: quick ? 150 : 500 };
  await using grid = await Grid.start({ hosts: [{ name: 'local', slots: SLOTS }], transport: localTransport() });
  const id = await grid.publish(new Adder());
  const proxies: ServiceProxy<Adder>[] = await Promise.all(Array.from({ length: SLOTS }, () => grid.acquireService<Adder>(id)));
  const gridPids = grid.servers(id).map((server) => server.pid);
  try {
    return [...(await againstWorkerpool(sizes, proxies, gridPids)), ...(await againstMoleculer(sizes, proxies[0]!, gridPids))];
  } finally {
    place('free', []);
  }
}
