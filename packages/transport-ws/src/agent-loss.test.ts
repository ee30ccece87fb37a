import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Grid } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { isGone } from '@hostgrid/testbed';
import { AgentProcess } from './fixtures/agent-process.js';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';
import { CORE_DIST, FIXTURES, cleanupsAfterEach } from './fixtures/test-setup.js';

const token = generateToken();
const cleanups = cleanupsAfterEach();

describe('ws transport when a host agent dies', () => {
  it('rejects the pending calls of its workers with WorkerLostError, its workers end even mid-call, and a new agent joins as a fresh host', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token });
    const first = AgentProcess.start({ url: transport.url, host: 'h1', slots: 2, token });
    // Agents go last, after the grid has removed its folders through them.
    cleanups.unshift(() => first[Symbol.asyncDispose]());
    const grid = await Grid.start({ hosts: [{ name: 'h1', slots: 2 }], transport });
    cleanups.push(() => grid.terminate({ cleanup: true }));
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('first'));
    const workers = grid.servers(id).map((server) => server.pid);
    // The lost host's folder stays (nobody can reach it to remove it); it is on this machine.
    const lostTempPath = grid.tempPath('h1');
    cleanups.unshift(() => rm(lostTempPath, { recursive: true, force: true }));
    const [busy, idle] = await Promise.all([grid.acquireService<Recorder>(id), grid.acquireService<Recorder>(id)]);
    await idle!.append('kept in the lost copy');
    const spinning = busy!.spin(60_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.child.kill('SIGKILL');
    await expect(spinning).rejects.toMatchObject({ name: 'WorkerLostError', host: 'h1', method: 'spin' });
    // The parent watch ends a worker whose agent is gone, even one stuck in a synchronous call.
    for (const pid of workers) while (!isGone(pid)) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(grid.servers(id)).toEqual([]);

    const added = new Promise<{ name: string; slots: number }>((resolve) => grid.once('host-added', resolve));
    const second = AgentProcess.start({ url: transport.url, host: 'h1', slots: 2, token });
    cleanups.unshift(() => second[Symbol.asyncDispose]());
    expect(await added).toMatchObject({ name: 'h1', slots: 2 });
    const reports = await grid.gather(grid.broadcast<{ label: string; log: string[] }>(id, 'report'));
    expect(reports).toEqual([
      { label: 'first', log: [], maxOverlap: 0 },
      { label: 'first', log: [], maxOverlap: 0 },
    ]);
  });
});
