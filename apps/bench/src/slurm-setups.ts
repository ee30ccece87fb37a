/**
 * What the `slurm` group measures with: grids whose workers are SLURM job steps (srun's
 * stdio, or host agents started with srun that dial back over WebSocket), and the raw
 * floor over one srun's stdio.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Grid, bundledWorkerEntry, type HostSpec, type ServiceProxy } from '@hostgrid/core';
import { slurmHosts, slurmTransport } from '@hostgrid/launcher-slurm';
import type { SlurmAllocation } from '@hostgrid/testbed';
import { generateToken, wsTransport } from '@hostgrid/transport-ws';
import { Adder } from './adder.js';
import { FloorClient } from './floor-client.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** A started grid with Adder published, one proxy held, and how to stop it all. */
export interface BenchGrid {
  readonly grid: Grid;
  readonly proxy: ServiceProxy<Adder>;
  /** From `Grid.start` (plus, for agents, from their `srun`) to every slot ready, in ms. */
  readonly startMs: number;
  close(): Promise<void>;
}

async function publish(grid: Grid, startMs: number, close: () => Promise<void>): Promise<BenchGrid> {
  try {
    await grid.copyFiles(HERE, ['adder.js']);
    const id = await grid.publish(new Adder());
    return { grid, proxy: await grid.acquireService<Adder>(id), startMs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A grid on the allocation's nodes, each slot a job step talking over srun's stdio. */
export async function srunGrid(allocation: SlurmAllocation, hosts?: HostSpec[]): Promise<BenchGrid> {
  const env = { ...process.env, ...allocation.env };
  const began = performance.now();
  const grid = await Grid.start({ hosts: hosts ?? slurmHosts(env), transport: slurmTransport({ env }) });
  return publish(grid, performance.now() - began, () => grid.terminate({ cleanup: true }));
}

/** The same grid on the local transport (this machine's processes), for comparison. */
export async function localGrid(slots: number): Promise<BenchGrid> {
  const { localTransport } = await import('@hostgrid/transport-local');
  const began = performance.now();
  const grid = await Grid.start({ hosts: [{ name: 'local', slots }], transport: localTransport() });
  return publish(grid, performance.now() - began, () => grid.terminate({ cleanup: true }));
}

/**
 * The alternative the issue names: one host agent per node started with srun
 * (`hostgrid-worker --connect`), its slot workers dialling back to a WebSocket endpoint on
 * the bridge address. The start time counts from the agents' srun.
 */
export async function wsGrid(allocation: SlurmAllocation, hosts: readonly HostSpec[], listenHost: string): Promise<BenchGrid> {
  const token = generateToken();
  const began = performance.now();
  const transport = await wsTransport({ listen: { host: listenHost, port: 0 }, token });
  const agents: ChildProcess[] = hosts.map((host) =>
    spawn(
      'srun',
      [`--jobid=${allocation.jobId}`, '--overlap', '--nodes=1', '--ntasks=1', `--nodelist=${host.name}`, process.execPath, bundledWorkerEntry(), '--connect', transport.url, '--host', host.name, '--slots', String(host.slots ?? 1), '--retry-for', '10'],
      { stdio: 'ignore', env: { ...process.env, ...allocation.env, HOSTGRID_TOKEN: token } },
    ),
  );
  const gone = agents.map((agent) => new Promise((resolve) => (agent.exitCode === null ? agent.once('exit', resolve) : resolve(undefined))));
  const stopAgents = async (): Promise<void> => {
    for (const agent of agents) agent.kill('SIGTERM');
    await Promise.all(gone);
  };
  let grid: Grid;
  try {
    grid = await Grid.start({ hosts: [...hosts], transport });
  } catch (error) {
    await stopAgents();
    await transport.close();
    throw error;
  }
  return publish(grid, performance.now() - began, async () => {
    await grid.terminate({ cleanup: true });
    await stopAgents();
  });
}

/** The raw floor: `floor-worker.js --stdio` as one srun step on `node`, answering over srun's stdio. */
export async function srunFloor(allocation: SlurmAllocation, node: string): Promise<FloorClient> {
  const child = spawn('srun', [`--jobid=${allocation.jobId}`, '--overlap', '--unbuffered', '--nodes=1', '--ntasks=1', `--nodelist=${node}`, process.execPath, `${HERE}/floor-worker.js`, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...allocation.env },
  });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  // srun ending as the floor is disposed of closes its pipes early: not an error here.
  stream.on('error', () => undefined);
  return FloorClient.over(stream);
}
