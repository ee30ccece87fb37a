import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Grid } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { AgentProcess } from './fixtures/agent-process.js';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';
import { CORE_DIST, FIXTURES, cleanupsAfterEach } from './fixtures/test-setup.js';

const token = generateToken();
const cleanups = cleanupsAfterEach();

describe('ws transport: the token and user code', () => {
  it('is not in a slot worker\'s environment block (/proc/<pid>/environ, readable by its user code) nor on its command line, with and without initCmd', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token });
    for (const host of ['h1', 'h2']) {
      const agent = AgentProcess.start({ url: transport.url, host, slots: 1, token });
      cleanups.unshift(() => agent[Symbol.asyncDispose]());
    }
    const grid = await Grid.start({ hosts: [{ name: 'h1', slots: 1 }, { name: 'h2', slots: 1, initCmd: 'export FROM_INIT=1' }], transport });
    cleanups.push(() => grid.terminate({ cleanup: true }));
    for (const host of ['h1', 'h2']) {
      const tempPath = grid.tempPath(host);
      cleanups.unshift(() => rm(tempPath, { recursive: true, force: true }));
    }
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('secret'));
    const pids = grid.servers(id).map((server) => server.pid);
    expect(pids.length).toBe(2);
    for (const pid of pids) {
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(token);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(token);
    }
    // initCmd ran in the shell that became the worker.
    expect(pids.some((pid) => readFileSync(`/proc/${pid}/environ`, 'utf8').includes('FROM_INIT=1'))).toBe(true);
  });
});
