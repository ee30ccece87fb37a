import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Grid, type HostSpec, type ServerInfo } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { isGone, type SlurmTestbed, startSlurm } from '@hostgrid/testbed';
import { slurmHosts } from './slurm-hosts.js';
import { slurmTransport } from './slurm-transport.js';

// A real SLURM cluster of 3 nodes; each test allocates what it needs, with --no-kill.
const bed = await startSlurm({ nodes: 3, name: 'slurm-transport' });
afterAll(() => bed.stop());

/** Processes in a node's namespace that run a Hostgrid worker. */
function workersOn(testbed: SlurmTestbed, node: string): number[] {
  return testbed.pidsIn(node).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--stdio') && !isGone(pid);
    } catch {
      return false;
    }
  });
}

/** Everything of the job still running: its steps (squeue) and the processes SLURM tracks on each node. */
async function leftovers(jobId: string, nodes: readonly string[] = bed.nodes.map((node) => node.name)): Promise<{ steps: string[]; tracked: string[]; workers: string[] }> {
  const steps = (await bed.steps(jobId)).map((step) => `${step.stepId} ${step.name}`);
  const tracked: string[] = [];
  const workers: string[] = [];
  for (const node of nodes) {
    for (const entry of await bed.listPids(node)) if (entry.jobId === jobId && entry.stepId !== 'extern') tracked.push(`${node}:${entry.pid} (${entry.jobId}.${entry.stepId})`);
    for (const pid of workersOn(bed, node)) workers.push(`${node}:${pid}`);
  }
  return { steps, tracked, workers };
}

/** Polls until `check` holds (SLURM reports a step's end a moment after its task has gone). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const NOTHING = { steps: [], tracked: [], workers: [] };

describe('slurmTransport on a real SLURM cluster', () => {
  it('starts each slot as a job step on its own node, named after host and slot, with the node\'s hostname', async () => {
    await using allocation = await bed.salloc({ tasksPerNode: 2 });
    const env = { ...process.env, ...allocation.env };
    const grid = await Grid.start({ hosts: slurmHosts(env), transport: slurmTransport({ env }) });
    try {
      const id = await grid.publish(new Recorder());
      const where = await grid.gather(grid.broadcast<{ pid: number; hostname: string }>(id, 'whoami'));
      const servers = grid.servers(id);
      expect(servers.map((s) => `${s.host}/${s.slot}`)).toEqual(['h1/0', 'h1/1', 'h2/0', 'h2/1', 'h3/0', 'h3/1']);
      where.forEach((seen, i) => {
        expect(seen).toEqual({ pid: servers[i]!.pid, hostname: servers[i]!.host });
        // the worker runs in its node's network namespace, as SLURM's task of its own step
        expect(bed.pidsIn(servers[i]!.host)).toContain(seen.pid);
      });
      const steps = await bed.steps(allocation.jobId);
      expect(steps.map((step) => step.name).sort()).toEqual(['hostgrid:h1/0', 'hostgrid:h1/1', 'hostgrid:h2/0', 'hostgrid:h2/1', 'hostgrid:h3/0', 'hostgrid:h3/1']);
      for (const step of steps) expect(step.nodeList).toBe(step.name.slice('hostgrid:'.length, -2));
    } finally {
      await grid.terminate({ cleanup: true });
    }
  });

  it('leaves nothing running in the allocation after terminate(), also when workers are busy and must be killed', async () => {
    await using allocation = await bed.salloc({ tasksPerNode: 2 });
    const env = { ...process.env, ...allocation.env };
    const grid = await Grid.start({ hosts: slurmHosts(env), transport: slurmTransport({ env }), shutdownGraceMs: 300 });
    const id = await grid.publish(new Recorder());
    const proxies = await Promise.all(grid.servers(id).map(() => grid.acquireService<Recorder>(id)));
    // two workers stuck in a synchronous loop (they cannot exit when asked), two waiting
    const pending = [proxies[0]!.spin(60_000), proxies[3]!.spin(60_000), proxies[4]!.sleep(60_000), proxies[5]!.sleep(60_000)];
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await leftovers(allocation.jobId)).workers).toHaveLength(6);
    await grid.terminate({ cleanup: true });
    for (const call of pending) await expect(call).rejects.toMatchObject({ name: 'HaltedError' });
    // squeue, scontrol listpids on every node and the process table of every node agree
    expect(await eventually(() => leftovers(allocation.jobId), (left) => left.steps.length === 0 && left.tracked.length === 0)).toEqual(NOTHING);
    expect(await bed.jobs()).toEqual([allocation.jobId]);
  });

  it('reports the servers of a node cut off mid-run lost and rejects their pending calls; the others carry on', { timeout: 180_000 }, async () => {
    await using allocation = await bed.salloc({ tasksPerNode: 2, noKill: true });
    const env = { ...process.env, ...allocation.env };
    const grid = await Grid.start({ hosts: slurmHosts(env), transport: slurmTransport({ env }) });
    try {
      const lost: ServerInfo[] = [];
      grid.on('server-lost', (server) => lost.push(server));
      const id = await grid.publish(new Recorder());
      const proxies = await Promise.all(grid.servers(id).map(() => grid.acquireService<Recorder>(id)));
      const onH2 = grid.servers(id).filter((server) => server.host === 'h2');
      // h2/0 has a call pending (so only SLURM can tell it is gone: a worker with calls
      // pending is not judged by heartbeats); h2/1 is idle (the grid's heartbeat judges it).
      const pending = proxies[2]!.sleep(120_000);
      const survivors = [proxies[0]!, proxies[1]!, proxies[4]!, proxies[5]!];
      await bed.cutNode('h2');
      // while h2 is silent, the others answer
      expect(await grid.gather(survivors.map((proxy) => proxy.append('during')))).toEqual([1, 1, 1, 1]);
      await expect(pending).rejects.toMatchObject({ name: 'WorkerLostError', host: 'h2', slot: 0, method: 'sleep' });
      await eventually(async () => lost.length, (n) => n === 2, 60_000);
      expect(lost.map((server) => `${server.host}/${server.slot}`).sort()).toEqual(onH2.map((server) => `${server.host}/${server.slot}`));
      await expect(proxies[3]!.append('late')).rejects.toMatchObject({ name: 'WorkerLostError', host: 'h2' });
      expect(grid.servers(id).map((server) => `${server.host}/${server.slot}`)).toEqual(['h1/0', 'h1/1', 'h3/0', 'h3/1']);
      expect(await grid.gather(survivors.map((proxy) => proxy.append('after')))).toEqual([2, 2, 2, 2]);
      // a new service goes onto the servers left
      const other = await grid.publish(new Recorder('other'));
      expect(grid.servers(other).map((server) => server.host)).toEqual(['h1', 'h1', 'h3', 'h3']);
      expect(await bed.job(allocation.jobId)).toMatchObject({ state: 'RUNNING', nodeList: 'h[1,3]' });
    } finally {
      await grid.terminate({ cleanup: true });
      await bed.restoreNode('h2');
    }
    // Back in service, h2's slurmd is told its orphaned step is over: nothing is left there either.
    // SLURM does that when the node has registered again, which on a loaded machine has been
    // seen to take longer than 20 s: a minute is the bound.
    expect(await eventually(() => leftovers(allocation.jobId), (left) => left.steps.length === 0 && left.workers.length === 0, 60_000)).toEqual(NOTHING);
  });

  describe('refuses to start, naming the host and leaving nothing running,', () => {
    const start = async (hosts: HostSpec[], env: NodeJS.ProcessEnv, srun?: string): Promise<unknown> =>
      Grid.start({ hosts, transport: slurmTransport({ env, ...(srun === undefined ? {} : { srun }) }), startTimeoutMs: 20_000 }).then(
        async (grid) => {
          await grid.terminate();
          return undefined;
        },
        (error: unknown) => error,
      );

    it('outside an allocation', async () => {
      const env = { ...process.env, ...bed.env };
      delete env['SLURM_JOB_ID'];
      expect(await start([{ name: 'h1' }], env)).toMatchObject({ name: 'SlurmAllocationError', host: 'h1', message: expect.stringMatching(/no allocation \(SLURM_JOB_ID is not set/) });
    });

    it('on a node that is not in the allocation', async () => {
      await using allocation = await bed.salloc({ nodes: 1 });
      const env = { ...process.env, ...allocation.env };
      const error = (await start([{ name: 'h3' }], env)) as Error;
      expect(error).toMatchObject({ name: 'SlurmAllocationError', host: 'h3' });
      expect(error.message).toContain(`srun worker for host "h3" slot 0 could not start: "h3" is not a node of allocation ${allocation.jobId} (SLURM_JOB_NODELIST=h1)`);
      // without the allocation's node list to check against, srun's own words
      const { SLURM_JOB_NODELIST: _list, SLURM_NODELIST: _nodes, ...bare } = env;
      const refused = (await start([{ name: 'h3' }], bare)) as Error;
      expect(refused.message).toMatch(/srun worker for host "h3" slot 0 could not start: srun exited with code 1: srun: error: Unable to create step for job \d+: Requested node configuration is not available/);
      expect(await eventually(() => leftovers(allocation.jobId), (left) => left.steps.length === 0)).toEqual(NOTHING);
    });

    it('with a Node.js path that does not exist on the node', async () => {
      await using allocation = await bed.salloc({ nodes: 1 });
      const env = { ...process.env, ...allocation.env };
      const error = await start([{ name: 'h1', node: '/nonexistent/node' }], env);
      expect(error).toMatchObject({ host: 'h1', message: expect.stringMatching(/could not start: srun exited with code 127: [\s\S]*hostgrid: Node.js executable "\/nonexistent\/node" not found on h1/) });
      expect(await eventually(() => leftovers(allocation.jobId), (left) => left.steps.length === 0)).toEqual(NOTHING);
    });

    it('without srun', async () => {
      await using allocation = await bed.salloc({ nodes: 1 });
      const env = { ...process.env, ...allocation.env };
      expect(await start([{ name: 'h1' }], env, '/nonexistent/srun')).toMatchObject({ host: 'h1', message: expect.stringMatching(/cannot run "\/nonexistent\/srun" \(is SLURM's client installed and on PATH\?\)/) });
    });
  });
});
