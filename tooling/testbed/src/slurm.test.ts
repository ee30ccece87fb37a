import { spawn } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ChildWithBed, childWithBed as startChild, until } from './fixtures/child-bed.js';
import { cleanupSlurmLeftovers, type SlurmTestbed, startSlurm, type TestbedStartError } from './index.js';
import { processesWithConfUnder } from './slurm-processes.js';
import { isGone, listNamespaces } from './system.js';

/** What a stopped SLURM test bed must not leave: daemons, clients, namespaces, links, its dir. */
function expectNothingLeft(bed: Pick<SlurmTestbed, 'dir' | 'pids' | 'nodes' | 'bridge'>): void {
  const { munged, slurmctld, slurmd } = bed.pids;
  for (const pid of [munged, slurmctld, ...Object.values(slurmd)]) expect(isGone(pid), `pid ${pid}`).toBe(true);
  expect(processesWithConfUnder(bed.dir)).toEqual([]);
  expect(listNamespaces().filter((name) => bed.nodes.some((node) => node.namespace === name))).toEqual([]);
  for (const link of [bed.bridge, ...bed.nodes.map((node) => node.veth)]) expect(existsSync(`/sys/class/net/${link}`), link).toBe(false);
  expect(existsSync(bed.dir)).toBe(false);
}

/** Runs a script that starts a SLURM test bed from the built package, and prints it as JSON once up. */
function childWithBed(then: 'exit' | 'hang'): Promise<ChildWithBed<Pick<SlurmTestbed, 'dir' | 'pids' | 'nodes' | 'bridge'>>> {
  return startChild(
    (dist) => `
    const { startSlurm } = await import(${JSON.stringify(dist)});
    const bed = await startSlurm({ nodes: 2, name: 'slurm-child' });
    await bed.salloc({ nodes: 2 });
    console.log(JSON.stringify({ dir: bed.dir, pids: bed.pids, nodes: bed.nodes, bridge: bed.bridge }));
    ${then === 'exit' ? 'process.exit(0);' : 'setInterval(() => {}, 1000);'}
  `,
  );
}

describe('startSlurm', () => {
  it('stands up 3 idle nodes, each a network namespace with its own address and hostname running slurmd', async () => {
    await using bed = await startSlurm({ nodes: 3 });
    expect(bed.nodes.map((node) => node.name)).toEqual(['h1', 'h2', 'h3']);
    for (const node of bed.nodes) expect(await bed.nodeState(node)).toBe('idle');
    expect(bed.env).toEqual({ SLURM_CONF: bed.confPath });
    expect(await readFile(bed.confPath, 'utf8')).toContain(`SlurmctldHost=`);
    const result = await bed.client(['srun', '--nodes=3', '--ntasks-per-node=1', '--label', '/bin/sh', '-c', 'echo $(hostname) $SLURMD_NODENAME $(readlink /proc/self/ns/net)']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').sort();
    expect(lines.map((line) => line.split(' ').slice(1, 3).join(' '))).toEqual(['h1 h1', 'h2 h2', 'h3 h3']);
    // three different network namespaces, none of them this machine's
    const namespaces = new Set(lines.map((line) => line.split(' ')[3]));
    expect(namespaces.size).toBe(3);
    expect(namespaces.has(readlinkSync('/proc/self/ns/net'))).toBe(false);
    const inside = await bed.exec('h2', ['hostname']);
    expect(inside.stdout.trim()).toBe('h2');
  });

  it('holds an allocation with salloc, with the environment salloc gives, and gives it back', async () => {
    await using bed = await startSlurm({ nodes: 3 });
    const allocation = await bed.salloc({ tasksPerNode: 2 });
    expect(allocation.env).toMatchObject({
      SLURM_JOB_ID: allocation.jobId,
      SLURM_JOB_NODELIST: 'h[1-3]',
      SLURM_TASKS_PER_NODE: '2(x3)',
      SLURM_JOB_NUM_NODES: '3',
      SLURM_CONF: bed.confPath,
    });
    expect(await bed.jobs()).toEqual([allocation.jobId]);
    expect(await bed.job(allocation.jobId)).toMatchObject({ state: 'RUNNING', nodeList: 'h[1-3]' });
    await allocation.release();
    expect(await until(() => bed.jobs(), (jobs) => jobs.length === 0, 10_000, 200)).toEqual([]);
    expect(await bed.job(allocation.jobId)).toMatchObject({ state: 'COMPLETED' });
  });

  it('runs batch jobs on the first node, writes their output and reports how they ended', async () => {
    await using bed = await startSlurm({ nodes: 2 });
    const output = join(bed.dir, 'job-%j.out');
    const ok = await bed.sbatch(['/bin/sh', '-c', 'echo "batch on $(hostname)"; srun --overlap --nodes=2 --ntasks-per-node=1 hostname | sort'], { output });
    const done = await bed.waitJob(ok);
    expect(done).toMatchObject({ state: 'COMPLETED', exitCode: '0:0', nodeList: 'h[1-2]' });
    expect(await readFile(join(bed.dir, `job-${ok}.out`), 'utf8')).toBe('batch on h1\nh1\nh2\n');
    const failing = await bed.sbatch(['/bin/sh', '-c', 'exit 3'], { output, nodes: 1 });
    expect(await bed.waitJob(failing)).toMatchObject({ state: 'FAILED', exitCode: '3:0' });
  });

  it('cuts a node off (SLURM sets it down*) and restores it into service', { timeout: 150_000 }, async () => {
    await using bed = await startSlurm({ nodes: 2 });
    await bed.cutNode('h2');
    expect(await until(() => bed.nodeState('h2'), (state) => state.startsWith('down'), 60_000, 200)).toBe('down*');
    expect(await bed.nodeState('h1')).toBe('idle');
    await bed.restoreNode('h2');
    expect(await bed.nodeState('h2')).toBe('idle');
    const result = await bed.client(['srun', '--nodelist=h2', 'hostname']);
    expect(result.stdout.trim()).toBe('h2');
  });

  it('lists the processes SLURM tracks on a node', async () => {
    await using bed = await startSlurm({ nodes: 1 });
    await using allocation = await bed.salloc();
    const step = spawn('srun', [`--jobid=${allocation.jobId}`, '--overlap', '/bin/sh', '-c', 'echo started; exec sleep 300'], { env: { ...process.env, ...allocation.env }, stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => step.stdout.once('data', resolve));
    const tracked = await bed.listPids('h1');
    expect(tracked).toEqual([expect.objectContaining({ jobId: allocation.jobId, stepId: '0' })]);
    expect(bed.pidsIn('h1')).toContain(tracked[0]!.pid);
    expect(await bed.steps(allocation.jobId)).toEqual([{ stepId: `${allocation.jobId}.0`, name: 'sh', nodeList: 'h1' }]);
  });

  it('stops everything it started (and nothing else), and again without complaint', async () => {
    const bed = await startSlurm({ nodes: 2 });
    const allocation = await bed.salloc();
    // a client left running: found by its SLURM_CONF
    spawn('srun', [`--jobid=${allocation.jobId}`, '--overlap', 'sleep', '300'], { env: { ...process.env, ...allocation.env }, stdio: 'ignore' });
    // a program that is not SLURM's, from a shell that exported SLURM_CONF: never touched
    const bystander = spawn('sleep', ['300'], { env: { ...process.env, ...bed.env }, stdio: 'ignore' });
    try {
      await bed.stop();
      expectNothingLeft(bed);
      expect(isGone(bystander.pid!)).toBe(false);
    } finally {
      bystander.kill('SIGKILL');
    }
    await bed.stop();
    await expect(bed.salloc()).rejects.toThrow(/has been stopped/);
  });

  it('removes what it made when a daemon fails to start, quoting it', async () => {
    const error = (await startSlurm({ nodes: 2, slurmConfig: { SelectType: 'select/bogus' } }).catch((e: unknown) => e)) as TestbedStartError;
    expect(error).toMatchObject({ name: 'TestbedStartError' });
    expect(error.message).toMatch(/slurmctld \(pid \d+\) exited with code 1 [\s\S]*select\/bogus/);
    expect(error.dir && existsSync(error.dir)).toBe(false);
    expect(listNamespaces().filter((name) => error.namespaces.includes(name))).toEqual([]);
  });

  it('is stopped by its exit hook when its process exits without stopping it', { timeout: 60_000 }, async () => {
    const { bed, child } = await childWithBed('exit');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    expectNothingLeft(bed);
  });

  it('leaves a crashed test bed to cleanupSlurmLeftovers, which removes it and keeps a live one', { timeout: 60_000 }, async () => {
    await using live = await startSlurm({ nodes: 1 });
    const { bed, child } = await childWithBed('hang');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(isGone(bed.pids.slurmctld)).toBe(false);
    const report = await cleanupSlurmLeftovers();
    expect(report.pids).toEqual(expect.arrayContaining([bed.pids.munged, bed.pids.slurmctld, ...Object.values(bed.pids.slurmd)]));
    expect(report.dirs).toContain(bed.dir);
    expect(report.kept).toContain(live.bridge);
    expectNothingLeft(bed);
    expect(await live.nodeState('h1')).toBe('idle');
  });
});
