import { randomBytes, randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Grid, resolveHosts, type ChannelClosedInfo } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { AgentProcess } from './fixtures/agent-process.js';
import { FakeAgent } from './fixtures/fake-peer.js';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';

const CORE_DIST = new URL('../../core/dist/', import.meta.url).pathname;
const FIXTURES = ['testing/services/*.js', 'class-registry.js', 'errors.js'];
const token = generateToken();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A message of random bytes: a few well-framed random bodies, or garbage that breaks the framing. */
function randomMessage(): Buffer {
  if (randomInt(2) === 0) {
    const body = randomBytes(randomInt(1, 200));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    return Buffer.concat([header, body]);
  }
  return randomBytes(randomInt(1, 300));
}

/** A message that ends inside a frame: it can never be split into whole frames. */
function truncated(): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(1000);
  return Buffer.concat([header, randomBytes(10)]);
}

describe('ws transport under random and truncated frames', () => {
  it('closes each fuzzing slot connection with a ProtocolError, exactly once, and nothing reaches the grid after', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token });
    cleanups.push(() => transport.close());
    const fake = new FakeAgent(transport.url, token, 'fuzz');
    cleanups.push(() => fake[Symbol.asyncDispose]());
    await fake.join(1);
    const [host] = resolveHosts([{ name: 'fuzz', slots: 1 }]);
    let sent = 0;
    for (let round = 0; round < 10; round++) {
      const closed: ChannelClosedInfo[] = [];
      let framesAfterClose = 0;
      const joined = fake.nextSlot();
      const channel = await transport.spawn(
        { host: host!, slot: 0, workerEntry: '/nonexistent/w.js', tempPath: '/nonexistent', signal: new AbortController().signal, heartbeat: { intervalMs: 1000, misses: 10 } },
        { frame: () => void (closed.length > 0 && framesAfterClose++), output: () => undefined, closed: (info) => closed.push(info) },
      );
      const slot = await joined;
      slot.answering = false;
      for (let i = 0; i < 300; i++, sent++) slot.peer.ws.send(randomMessage());
      slot.peer.ws.send(truncated());
      sent++;
      await slot.peer.closed;
      await channel.close(1000);
      expect(closed).toHaveLength(1);
      expect(closed[0]!.error).toMatchObject({ name: 'ProtocolError', host: 'fuzz', slot: 0 });
      expect(framesAfterClose).toBe(0);
    }
    expect(sent).toBeGreaterThan(3000);
  }, 60_000);

  it('drops a worker that sends random frames with a ProtocolError while the other hosts keep serving', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token });
    const agent = AgentProcess.start({ url: transport.url, host: 'h1', slots: 1, token });
    cleanups.push(() => agent[Symbol.asyncDispose]());
    const fake = new FakeAgent(transport.url, token, 'fuzz');
    cleanups.push(() => fake[Symbol.asyncDispose]());
    await fake.join(1);
    const grid = await Grid.start({ hosts: ['h1', 'fuzz'], transport });
    cleanups.push(() => grid.terminate({ cleanup: true }));
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('fuzzed'));
    const lost = new Promise<Error>((resolve) => grid.once('server-lost', (_server, error) => resolve(error)));
    const slot = fake.slots[0]!;
    slot.answering = false;
    for (let i = 0; i < 2000; i++) slot.peer.ws.send(randomMessage());
    const error = await lost;
    expect(error).toMatchObject({ name: 'WorkerLostError', host: 'fuzz' });
    expect((error.cause as Error).name).toBe('ProtocolError');
    expect(grid.servers(id).map((server) => server.host)).toEqual(['h1']);
    expect(await grid.call(id, 'append', ['still serving'])).toBe(1);
  });
});
