import { describe, expect, it } from 'vitest';
import { Grid, resolveHosts, type OutputEvent, type ServiceProxy } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { unpackFrames } from '@hostgrid/protocol';
import { AgentProcess } from './fixtures/agent-process.js';
import { FakeAgent } from './fixtures/fake-peer.js';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';
import { CORE_DIST, FIXTURES, cleanupsAfterEach } from './fixtures/test-setup.js';

const token = generateToken();
const cleanups = cleanupsAfterEach();
const MAX_FRAME_BYTES = 32 * 1024;

/** A grid of one real agent (host "h1", one slot) on a transport with a 32 KiB limit, a Recorder published; `lost` collects lost servers. */
async function smallLimitGrid(label: string): Promise<{ grid: Grid; proxy: ServiceProxy<Recorder>; lost: unknown[] }> {
  const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, maxFrameBytes: MAX_FRAME_BYTES });
  const agent = AgentProcess.start({ url: transport.url, host: 'h1', slots: 1, token });
  cleanups.unshift(() => agent[Symbol.asyncDispose]());
  const grid = await Grid.start({ hosts: [{ name: 'h1', slots: 1 }], transport });
  cleanups.push(() => grid.terminate({ cleanup: true }));
  const lost: unknown[] = [];
  grid.on('server-lost', (server) => lost.push(server));
  await grid.copyFiles(CORE_DIST, FIXTURES);
  const id = await grid.publish(new Recorder(label));
  return { grid, proxy: await grid.acquireService<Recorder>(id), lost };
}

describe('ws transport with a small message limit', () => {
  it("stages, and carries a worker's output line larger than the limit whole, split by its agent; the host stays", async () => {
    const { grid, proxy, lost } = await smallLimitGrid('small');
    const lines: OutputEvent[] = [];
    grid.on('output', (event) => lines.push(event));
    // Over the message limit, under the grid's line bound (MAX_OUTPUT_LINE_LENGTH).
    const long = 'x'.repeat(50_000);
    expect(await proxy.print('x', long.length)).toBe(long.length);
    await proxy.print('next');
    while (!lines.some((event) => event.line === 'next')) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines.map((event) => event.line)).toEqual(expect.arrayContaining([long, 'next']));
    expect(await proxy.append('still here')).toBe(1);
    expect(lost).toEqual([]);
  });

  it('carries pipelined results that each fit but together exceed the limit; the host stays', async () => {
    const { proxy, lost } = await smallLimitGrid('pipelined');
    // Twenty calls sent in one turn reach the worker in one message; their 4 KiB results are written in one turn: 80 KiB.
    const results = await Promise.all(Array.from({ length: 20 }, () => proxy.bytes(4096)));
    expect(results.map((bytes) => bytes.byteLength)).toEqual(Array(20).fill(4096));
    // And the other way: twenty 4 KiB arguments sent in one turn.
    const texts = Array.from({ length: 20 }, (_, i) => `${i} ${'e'.repeat(4096)}`);
    expect(await Promise.all(texts.map((text) => proxy.echo(text)))).toEqual(texts);
    expect(await proxy.append('still here')).toBe(1);
    expect(lost).toEqual([]);
  });

  it("packs the frames it sends in one turn into messages within the limit the slot's peer was told", async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, maxFrameBytes: MAX_FRAME_BYTES });
    cleanups.push(() => transport.close());
    const fake = new FakeAgent(transport.url, token, 'h1');
    cleanups.push(() => fake[Symbol.asyncDispose]());
    await fake.join(1);
    const [host] = resolveHosts([{ name: 'h1', slots: 1 }]);
    const joined = fake.nextSlot();
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const channel = await transport.spawn(
      { host: host!, slot: 0, workerEntry: '/nonexistent/w.js', tempPath: '/nonexistent', signal: new AbortController().signal, heartbeat: { intervalMs: 1000, misses: 10 } },
      { frame: () => undefined, output: () => undefined, closed: () => markClosed() },
    );
    cleanups.push(async () => {
      channel.kill();
      await closed;
    });
    const slot = await joined;
    slot.answering = false;
    // The first message is the welcome (not framed); what the channel sends comes after it.
    while (slot.peer.messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < 20; i++) channel.send(Buffer.alloc(4096, i));
    const frames: Buffer[] = [];
    while (frames.length < 20) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      frames.length = 0;
      for (const message of slot.peer.messages.slice(1)) unpackFrames(message, (frame) => frames.push(frame));
    }
    expect(frames.map((frame) => frame[0])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const sizes = slot.peer.messages.slice(1).map((message) => message.length);
    expect(sizes.every((size) => size <= MAX_FRAME_BYTES), `message sizes ${sizes.join(', ')}`).toBe(true);
  });
});
