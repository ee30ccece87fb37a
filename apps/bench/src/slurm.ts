/**
 * The SLURM launcher on a real SLURM cluster (3 network-namespace nodes on this machine,
 * from `@hostgrid/testbed`; needs root and the SLURM packages): the time from `Grid.start`
 * to every slot ready on 3 nodes × 2 slots, and the tiny-call round trip through srun's
 * stdio, each next to the same over the local transport and against a raw floor over one
 * srun's stdio; next to them the alternative of host agents started with srun, dialling
 * back over WebSocket (`@hostgrid/transport-ws`). Last, how long a node cut off
 * takes to be noticed (once, not per round: SLURM takes tens of seconds).
 */
import { startSlurm, type SlurmAllocation, type SlurmTestbed } from '@hostgrid/testbed';
import { roundTrip, summary, throughput, type Call } from './measure.js';
import { type BenchGrid, localGrid, srunFloor, srunGrid, wsGrid } from './slurm-setups.js';
import { pair, row, type Row } from './table.js';

const WINDOW = 256;
const FLOOR = 'raw srun stdio echo';

/** Starts a grid, notes its start time, stops it. */
async function startTime(start: () => Promise<BenchGrid>): Promise<number> {
  const grid = await start();
  await grid.close();
  return grid.startMs;
}

/** The round trip and pipelined throughput rows of one grid against a baseline (a floor or another grid). */
async function callRows(rounds: number, quick: boolean, label: string, baseline: { name: string; call: Call }, grid: Call, aim: boolean): Promise<Row[]> {
  const calls = quick ? 300 : 2000;
  const ms = quick ? 150 : 500;
  await throughput([baseline.call, grid], WINDOW, 300);
  const [f, h] = await pair(rounds, async () => (await roundTrip(baseline.call, calls)).p50, async () => (await roundTrip(grid, calls)).p50);
  const [ft, ht] = await pair(rounds, () => throughput([baseline.call], WINDOW, ms), () => throughput([grid], WINDOW, ms));
  return [
    row(`tiny-call round trip p50, ${label}`, 'free', 'µs', baseline.name, f, h, aim ? { kind: 'at most', ratio: 1.5 } : undefined),
    row(`pipelined, ${WINDOW} in flight, ${label}`, 'free', 'calls/s', baseline.name, ft, ht, aim ? { kind: 'at least', ratio: 0.67 } : undefined),
  ];
}

/** A pending call on a node that is cut off: how long until SLURM ends its step, and until the grid's heartbeat drops an idle server there. */
async function cutDetection(bed: SlurmTestbed, allocation: SlurmAllocation): Promise<string> {
  const g = await srunGrid(allocation);
  let busyMs = Number.NaN;
  let idleMs = Number.NaN;
  try {
    const id = g.grid.services()[0]!;
    const proxies = await Promise.all(g.grid.servers(id).slice(1).map(() => g.grid.acquireService<{ sleep(ms: number): Promise<void> }>(id)));
    const onH2 = g.grid.servers(id).filter((server) => server.host === 'h2').map((server) => server.slot);
    const busyProxy = proxies.find((_, i) => g.grid.servers(id)[i + 1]!.host === 'h2' && g.grid.servers(id)[i + 1]!.slot === onH2[0]);
    const began = performance.now();
    const idleLost = new Promise<void>((resolve) => g.grid.on('server-lost', (server) => server.host === 'h2' && server.slot !== onH2[0] && resolve()));
    const pending = busyProxy!.sleep(300_000).then(() => undefined, () => undefined);
    await bed.cutNode('h2');
    await Promise.all([idleLost.then(() => (idleMs = performance.now() - began)), pending.then(() => (busyMs = performance.now() - began))]);
  } finally {
    await g.close();
    await bed.restoreNode('h2');
  }
  return (
    `A node cut off (\`ip link set … down\`, silent): a worker there with a call pending is reported lost after ${(busyMs / 1000).toFixed(1)} s ` +
    `(slurmctld sets the node DOWN after SlurmdTimeout=10 s plus its ping period, and srun ends the step: "Node failure"), an idle one after ${(idleMs / 1000).toFixed(1)} s ` +
    '(the grid\'s heartbeat, 1000 ms × 10 misses). One measurement, not per round.'
  );
}

/** Runs the slurm group. */
export async function benchSlurm(rounds: number, quick: boolean): Promise<{ rows: Row[]; notes: string[] }> {
  const bed = await startSlurm({ nodes: 3, name: 'bench-slurm' });
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    await using allocation = await bed.salloc({ tasksPerNode: 2 });
    const h1 = [{ name: 'h1', slots: 1 }];
    const hosts = bed.nodes.map((node) => ({ name: node.name, slots: 2 }));

    // Start: Grid.start until every slot is ready (worker handshakes done), 6 slots.
    const [localStart, srunStart] = await pair(rounds, () => startTime(() => localGrid(6)), () => startTime(() => srunGrid(allocation)));
    rows.push(row('Grid.start to all slots ready, 3 nodes × 2 slots (srun steps)', 'free', 'ms', 'local transport, 6 slots', localStart, srunStart));

    // Calls, on one slot of h1.
    const srun = await srunGrid(allocation, h1);
    const local = await localGrid(1);
    const floor = await srunFloor(allocation, 'h1');
    try {
      const srunCall: Call = () => srun.proxy.add(1, 2);
      rows.push(...(await callRows(rounds, quick, "srun's stdio", { name: FLOOR, call: () => floor.call('add', [1, 2]) }, srunCall, true)));
      rows.push(...(await callRows(rounds, quick, "srun's stdio", { name: 'local transport', call: () => local.proxy.add(1, 2) }, srunCall, false)));
    } finally {
      await srun.close();
      await local.close();
      await floor[Symbol.asyncDispose]();
    }

    // The alternative: agents started with srun, slot workers dialling back over WebSocket.
    const [srunAgain, wsStart] = await pair(rounds, () => startTime(() => srunGrid(allocation)), () => startTime(() => wsGrid(allocation, hosts, bed.controllerAddress)));
    rows.push(row('start to all slots ready, 3 nodes × 2 slots: srun agents + WebSocket', 'free', 'ms', 'srun steps (stdio)', srunAgain, wsStart));
    const viaSrun = await srunGrid(allocation, h1);
    const viaWs = await wsGrid(allocation, h1, bed.controllerAddress);
    try {
      rows.push(...(await callRows(rounds, quick, 'dialled back over WebSocket', { name: "srun's stdio", call: () => viaSrun.proxy.add(1, 2) }, () => viaWs.proxy.add(1, 2), false)));
    } finally {
      await viaSrun.close();
      await viaWs.close();
    }

    notes.push(await cutDetection(bed, allocation));
    const s = summary(srunStart);
    notes.push(
      `Start of 6 srun steps: ${s.median.toFixed(0)} ms median; each step is one srun (step creation at slurmctld, launch by the node's slurmd and slurmstepd, then node).`,
      'All nodes share this machine\'s 2 CPUs; the srun path is controller → srun → TCP → slurmstepd → pipe → worker and back.',
    );
    return { rows, notes };
  } finally {
    await bed.stop();
  }
}
