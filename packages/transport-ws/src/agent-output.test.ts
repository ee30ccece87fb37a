import { describe, expect, it } from 'vitest';
import { Grid, type OutputEvent } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { AgentProcess } from './fixtures/agent-process.js';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';
import { CORE_DIST, FIXTURES, cleanupsAfterEach } from './fixtures/test-setup.js';

const token = generateToken();
const cleanups = cleanupsAfterEach();

describe('ws transport with a small message limit', () => {
  it("stages, and carries a worker's output line larger than the limit whole, split by its agent; the host stays", async () => {
    const maxFrameBytes = 32 * 1024;
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, maxFrameBytes });
    const agent = AgentProcess.start({ url: transport.url, host: 'h1', slots: 1, token });
    cleanups.unshift(() => agent[Symbol.asyncDispose]());
    const grid = await Grid.start({ hosts: [{ name: 'h1', slots: 1 }], transport });
    cleanups.push(() => grid.terminate({ cleanup: true }));
    const lost: unknown[] = [];
    grid.on('server-lost', (server) => lost.push(server));
    const lines: OutputEvent[] = [];
    grid.on('output', (event) => lines.push(event));
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('small'));
    const proxy = await grid.acquireService<Recorder>(id);
    // Over the message limit, under the grid's line bound (MAX_OUTPUT_LINE_LENGTH).
    const long = 'x'.repeat(50_000);
    expect(await proxy.print('x', long.length)).toBe(long.length);
    await proxy.print('next');
    while (!lines.some((event) => event.line === 'next')) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines.map((event) => event.line)).toEqual(expect.arrayContaining([long, 'next']));
    expect(await proxy.append('still here')).toBe(1);
    expect(lost).toEqual([]);
  });
});
