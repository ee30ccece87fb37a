/**
 * What is particular to SGE, run inside a parallel job (submitted by
 * `src/conformance.test.ts`): a dead worker must not fail the job, terminate must leave no
 * task behind, SGE's refusals must read clearly, and a host's settings reach its workers.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Grid, type HostSpec } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { isGone } from '@hostgrid/testbed';
import { describe, expect, it } from 'vitest';
import { sgeHosts, sgeTransport } from '../index.js';
import { jobState, jobTempDir, taskAccounting, until, workerProcesses } from './job-env.js';

const hosts = sgeHosts();
const [first] = hosts as [HostSpec];
const slots = hosts.reduce((n, host) => n + (host.slots ?? 1), 0);

describe('sgeTransport inside a parallel job', () => {
  it('loses a killed worker alone: its call rejects, the others carry on, and SGE records no failed task', async () => {
    const before = taskAccounting().length;
    await using grid = await Grid.start({ hosts, transport: sgeTransport({ tempDir: jobTempDir() }) });
    const id = await grid.publish(new Recorder('kill'));
    const proxy = await grid.acquireService<Recorder>(id);
    const victim = grid.servers(id).find((server) => server.busy)!;
    const pending = proxy.sleep(60_000);
    process.kill(victim.pid, 'SIGKILL');
    await expect(pending).rejects.toMatchObject({ name: 'WorkerLostError', message: expect.stringMatching(/the worker \(a qrsh -inherit task\) was killed by SIGKILL/) });
    const others = await Promise.all(Array.from({ length: slots - 1 }, () => grid.acquireService<Recorder>(id)));
    expect(await Promise.all(others.map((other) => other.append('alive')))).toEqual(Array(slots - 1).fill(1));
    // SGE accounts for the ended task: exit status 137, and not "failed" (which would end the job).
    const killed = (list: Array<{ exitStatus: number }>): boolean => list.slice(before).some((record) => record.exitStatus === 137);
    const records = (await until(taskAccounting, killed, 15_000)).slice(before);
    expect(records).toContainEqual({ failed: '0', exitStatus: 137 });
    expect(records.filter((record) => record.failed !== '0')).toEqual([]);
    expect(jobState()).toBe('r');
  });

  it('terminate kills a worker busy in a long synchronous call, leaving no worker, task or qrsh running', async () => {
    const grid = await Grid.start({ hosts, transport: sgeTransport({ tempDir: jobTempDir() }), shutdownGraceMs: 300 });
    const id = await grid.publish(new Recorder('busy'));
    const pids = grid.servers(id).map((server) => server.pid);
    const busy = await grid.acquireService<Recorder>(id);
    const spinning = busy.spin(60_000);
    spinning.catch(() => undefined);
    expect(workerProcesses().length).toBeGreaterThanOrEqual(3 * slots);
    await grid.terminate({ cleanup: true });
    for (const pid of pids) expect(isGone(pid), `worker pid ${pid}`).toBe(true);
    expect(await until(workerProcesses, (left) => left.length === 0, 5_000)).toEqual([]);
    expect(jobState()).toBe('r');
  });

  it('gives up on a worker it cannot signal (another host) after detachAfterMs; the worker ends when its call returns', async () => {
    // killLocally: false treats this machine's workers as if they ran on another host.
    const grid = await Grid.start({ hosts, transport: sgeTransport({ tempDir: jobTempDir(), killLocally: false, detachAfterMs: 500 }), shutdownGraceMs: 200 });
    const id = await grid.publish(new Recorder('remote'));
    const busy = await grid.acquireService<Recorder>(id);
    const stuck = grid.servers(id).find((server) => server.busy)!;
    const spinning = busy.spin(10_000);
    spinning.catch(() => undefined);
    await grid.terminate({ cleanup: true });
    // terminate did not wait for the call: the worker still spins, and ends once it returns.
    expect(isGone(stuck.pid)).toBe(false);
    expect(await until(() => isGone(stuck.pid), (gone) => gone, 30_000)).toBe(true);
    expect(await until(workerProcesses, (left) => left.length === 0, 5_000)).toEqual([]);
    expect(jobState()).toBe('r');
  });

  it('refuses a host the job was not granted, naming the granted ones', async () => {
    await expect(Grid.start({ hosts: [{ name: 'not-a-node-of-this-job' }], transport: sgeTransport({ tempDir: jobTempDir() }) })).rejects.toMatchObject({
      name: 'SgeJobError',
      message: expect.stringMatching(new RegExp(`was not granted host "not-a-node-of-this-job" \\(PE_HOSTFILE lists ${first.name}\\)`)),
    });
  });

  it('passes on qrsh\'s refusal of more workers than the host has slots, and leaves nothing running', async () => {
    // SGE's count of a host's tasks is not exact under concurrent starts (tasks over the
    // slots may slip through; in one CI run all of them did), so ask for well over the
    // slots, and try again, after checking that nothing is left, when SGE let them all start.
    let error: unknown;
    for (let attempt = 0; attempt < 3 && error === undefined; attempt++) {
      error = await Grid.start({ hosts: [{ ...first, slots: 2 * (first.slots ?? 1) + 2 }], transport: sgeTransport({ tempDir: jobTempDir() }) }).then(
        async (grid) => {
          await grid.terminate();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(await until(workerProcesses, (left) => left.length === 0, 5_000)).toEqual([]);
    }
    expect(error, 'SGE refused none of 3 over-the-slots starts').toBeDefined();
    // The grid abandons the other starts once one fails, and names the first failure.
    const refusal = (error as Error).name === 'SgeJobError' ? error : (error as Error).cause;
    expect(refusal).toMatchObject({ name: 'SgeJobError', message: expect.stringMatching(/could not start: .*execution daemon on host .* didn't accept task/) });
    expect(await until(workerProcesses, (left) => left.length === 0, 5_000)).toEqual([]);
    expect(jobState()).toBe('r');
  });

  it('starts workers with the host\'s initCmd, niceness, env and node, in the temp folder made in tempDir', async () => {
    const dir = jobTempDir();
    const probe = join(dir, 'probe.mjs');
    await writeFile(
      probe,
      `import { getPriority } from 'node:os';
       export class Probe { info() { return { nice: getPriority(), value: process.env.PROBE_VALUE, init: process.env.PROBE_INIT ?? null, cwd: process.cwd(), node: process.execPath }; } }`,
    );
    const host = { ...first, niceness: 4, env: { PROBE_VALUE: "it's \"quoted\" $HOME" }, initCmd: 'PROBE_INIT=ran\nexport PROBE_INIT' };
    await using grid = await Grid.start({ hosts: [host], transport: sgeTransport({ tempDir: dir }) });
    const id = await grid.publish({ module: pathToFileURL(probe).href, export: 'Probe' });
    const infos = await grid.gather(grid.broadcast<{ nice: number; value: string; init: string | null; cwd: string; node: string }>(id, 'info'));
    const tempPath = grid.tempPath(first.name);
    expect(tempPath.startsWith(`${dir}/hostgrid-`)).toBe(true);
    expect(infos).toEqual(Array(first.slots ?? 1).fill({ nice: 4, value: "it's \"quoted\" $HOME", init: 'ran', cwd: tempPath, node: process.execPath }));
  });
});
