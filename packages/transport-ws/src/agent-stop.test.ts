import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AgentProcess } from './fixtures/agent-process.js';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';
import { cleanupsAfterEach } from './fixtures/test-setup.js';

const token = generateToken();
const cleanups = cleanupsAfterEach();

describe('a host agent told to stop', () => {
  it('exits with code 0 on SIGTERM that arrives while it is still dialling, instead of joining and staying', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token });
    cleanups.push(() => transport.close());
    // A proxy that holds the agent's connection until it was told to stop, then lets it through.
    let arrived!: (socket: Socket) => void;
    const connection = new Promise<Socket>((resolve) => (arrived = resolve));
    const sockets = new Set<Socket>();
    // Either end may go first (the agent exits, the controller drops it): a write after that is no failure of this test.
    const track = (socket: Socket): void => {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
    };
    const proxy = createServer((socket) => {
      track(socket);
      socket.pause();
      arrived(socket);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    });
    const { port } = proxy.address() as { port: number };
    const agent = AgentProcess.start({ url: `ws://127.0.0.1:${port}`, host: 'h1', slots: 1, token });
    cleanups.unshift(() => agent[Symbol.asyncDispose]());
    const held = await connection;
    agent.child.kill('SIGTERM');
    // Give the agent a moment to take the signal while its dial hangs (a late signal makes this test pass wrongly, never fail wrongly).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const upstream = connect(transport.address().port, '127.0.0.1');
    track(upstream);
    held.pipe(upstream).pipe(held);
    held.resume();
    expect(await agent.exited).toEqual({ code: 0, signal: null });
  }, 20_000);
});
