import { Grid, type ServiceProxy } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { Adder } from './adder.js';
import { FloorClient } from './floor-client.js';
import { roundTrip, throughput, type Call } from './measure.js';
import { place } from './placement.js';
import { pair, row, type Row } from './table.js';

const WINDOW = 256;
const SLOTS = 2;
const FLOOR = 'raw fd-3 echo';

/**
 * Calls through the local transport against the raw floor (a bare child process
 * answering the same msgpackr frames over the same fd-3 socket): round trip under both
 * CPU placements, pipelined throughput on one proxy and on every slot, and a 1 MiB
 * `Float64Array` echo.
 */
export async function benchCalls(rounds: number, quick: boolean): Promise<Row[]> {
  const rttCalls = quick ? 300 : 3000;
  const throughputMs = quick ? 150 : 500;
  const bulkCalls = quick ? 5 : 30;
  const grid = await Grid.start({ hosts: [{ name: 'local', slots: SLOTS }], transport: localTransport() });
  const floors = await Promise.all(Array.from({ length: SLOTS }, () => FloorClient.start()));
  try {
    const id = await grid.publish(new Adder());
    const proxies: ServiceProxy<Adder>[] = await Promise.all(Array.from({ length: SLOTS }, () => grid.acquireService<Adder>(id)));
    const workerPids = [...grid.servers(id).map((server) => server.pid), ...floors.map((floor) => floor.child!.pid!)];
    const gridCall = (proxy: ServiceProxy<Adder>): Call => () => proxy.add(1, 2);
    const floorCall = (floor: FloorClient): Call => () => floor.call('add', [1, 2]);
    // Warm both paths up (JIT, socket buffers) before anything is timed.
    await throughput([gridCall(proxies[0]!), floorCall(floors[0]!)], WINDOW, 300);

    const rows: Row[] = [];
    for (const placement of ['same', 'split'] as const) {
      place(placement, workerPids);
      const [f, h] = await pair(
        rounds,
        async () => (await roundTrip(floorCall(floors[0]!), rttCalls)).p50,
        async () => (await roundTrip(gridCall(proxies[0]!), rttCalls)).p50,
      );
      rows.push(row('tiny-call round trip p50', placement, 'µs', FLOOR, f, h, { kind: 'at most', ratio: 2 }));
      const [ft, ht] = await pair(
        rounds,
        () => throughput([floorCall(floors[0]!)], WINDOW, throughputMs),
        () => throughput([gridCall(proxies[0]!)], WINDOW, throughputMs),
      );
      rows.push(row(`pipelined, one proxy, ${WINDOW} in flight`, placement, 'calls/s', FLOOR, ft, ht, { kind: 'at least', ratio: 0.5 }));
    }
    place('free', workerPids);
    const [fa, ha] = await pair(
      rounds,
      () => throughput(floors.map(floorCall), WINDOW, throughputMs),
      () => throughput(proxies.map(gridCall), WINDOW, throughputMs),
    );
    rows.push(row(`pipelined, all ${SLOTS} slots, ${WINDOW} in flight each`, 'free', 'calls/s', FLOOR, fa, ha, { kind: 'at least', ratio: 0.5 }));
    const mib = new Float64Array(131_072).fill(Math.PI);
    const bulk = async (call: () => PromiseLike<unknown>): Promise<number> => {
      const start = performance.now();
      for (let i = 0; i < bulkCalls; i++) await call();
      return (2 * bulkCalls) / ((performance.now() - start) / 1000);
    };
    const [fb, hb] = await pair(
      rounds,
      () => bulk(() => floors[0]!.call('echo', [mib])),
      () => bulk(() => proxies[0]!.echo(mib)),
    );
    rows.push(row('1 MiB Float64Array echo', 'free', 'MiB/s', FLOOR, fb, hb, { kind: 'at least', ratio: 0.5 }));
    return rows;
  } finally {
    await grid.terminate({ cleanup: true });
    await Promise.all(floors.map((floor) => floor[Symbol.asyncDispose]()));
  }
}
