import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Grid } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { makeCertificates } from '@hostgrid/testbed';
import { AgentProcess } from './fixtures/agent-process.js';
import { rawPeer } from './fixtures/fake-peer.js';
import { CORE_DIST, FIXTURES, cleanupsAfterEach } from './fixtures/test-setup.js';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';

const token = generateToken();
const cleanups = cleanupsAfterEach();
const certs = await makeCertificates(['127.0.0.1']);
afterAll(() => certs[Symbol.asyncDispose]());

/** What a peer without a token sends, and then nothing more: it never finishes its upgrade. */
const STALLS = ['', 'GET / HT', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'] as const;

/** A raw TCP socket that sends `stall` and waits; `closed` resolves when the server ends it (this side never does). */
function stalled(port: number, stall: string): { socket: Socket; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.once('connect', () => {
    if (stall !== '') socket.write(stall);
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed };
}

/**
 * Opens stalled sockets (600 at most) until it is stopped, keeping `count` open. `stop`
 * then opens one more and waits until the server has closed every one: that last one was
 * accepted after whatever connected before `stop`, so when it is gone by the deadline,
 * those are older than the deadline.
 */
function keepStalling(port: number, count: number): { stop: () => Promise<number> } {
  const all: Promise<void>[] = [];
  let stopped = false;
  const open = (): void => {
    if (stopped || all.length >= 600) return;
    const { closed } = stalled(port, STALLS[all.length % STALLS.length]!);
    all.push(closed);
    void closed.then(open);
  };
  for (let i = 0; i < count; i++) open();
  return {
    stop: async () => {
      stopped = true;
      all.push(stalled(port, STALLS[0]).closed);
      // Each of them closes by the server's deadline; nothing here closes them.
      await Promise.all(all);
      return all.length;
    },
  };
}

describe('ws transport: connections that never finish their upgrade', () => {
  it('closes 600 of them (silent, a partial request line, headers without their end): those over maxPendingJoins at once, the rest after authTimeoutMs', { timeout: 90_000 }, async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, authTimeoutMs: 500 });
    cleanups.push(() => transport.close());
    const peers = Array.from({ length: 600 }, (_, i) => stalled(transport.address().port, STALLS[i % STALLS.length]!));
    cleanups.push(async () => peers.forEach((peer) => peer.socket.destroy()));
    await Promise.all(peers.map((peer) => peer.closed));
    expect(peers.every((peer) => peer.socket.destroyed)).toBe(true);
  });

  it('drops those over maxPendingJoins at once, long before authTimeoutMs', { timeout: 90_000 }, async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, authTimeoutMs: 600_000, maxPendingJoins: 4 });
    cleanups.push(() => transport.close());
    const peers = Array.from({ length: 10 }, (_, i) => stalled(transport.address().port, STALLS[i % STALLS.length]!));
    cleanups.push(async () => peers.forEach((peer) => peer.socket.destroy()));
    // Six are over the cap: the server closes them although the deadline is ten minutes away.
    let closed = 0;
    await new Promise<void>((resolve) => peers.forEach((peer) => void peer.closed.then(() => ++closed === 6 && resolve())));
    expect(closed).toBeGreaterThanOrEqual(6);
  });

  it('destroys a connection refused with HTTP 503 even when its peer keeps its own side open', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, authTimeoutMs: 600_000, maxPendingJoins: 1 });
    cleanups.push(() => transport.close());
    const joining = await rawPeer(transport.url);
    cleanups.push(async () => void joining.ws.terminate());
    const socket = connect({ port: transport.address().port, host: '127.0.0.1', allowHalfOpen: true });
    cleanups.push(async () => void socket.destroy());
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('end', resolve));
    expect(answer).toMatch(/^HTTP\/1.1 503 /);
    // Its side still open, it writes on: a server that only ended its own side reads this for
    // ever; one that let the socket go answers with a reset, seen at the next write (EPIPE).
    let writes = 0;
    const writing = setInterval(() => (++writes > 400 ? clearInterval(writing) : socket.write('still here')), 50);
    cleanups.push(async () => clearInterval(writing));
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it.each([
    ['ws', false],
    ['wss', true],
  ] as const)('lets a real agent join over %s while peers without a token keep sockets open before their upgrade, and keeps it past the deadline', { timeout: 120_000 }, async (_scheme, tls) => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, authTimeoutMs: 500, ...(tls ? { tls: { cert: certs.cert, key: certs.key } } : {}) });
    cleanups.push(() => transport.close());
    const stalling = keepStalling(transport.address().port, 32);
    const agent = AgentProcess.start({ url: transport.url, host: 'h1', slots: 1, token, ...(tls ? { ca: certs.caFile } : {}) });
    cleanups.push(() => agent[Symbol.asyncDispose]());
    const grid = await Grid.start({ hosts: [{ name: 'h1', slots: 1 }], transport });
    cleanups.push(() => grid.terminate({ cleanup: true }));
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('joined'));
    const [server] = grid.servers(id);
    expect(await grid.call(id, 'append', ['during'])).toBe(1);
    // Every stalled socket is closed by the server, the last ones opened after the agent's
    // and its slot's connections: those are older than the deadline by then, and still served.
    expect(await stalling.stop()).toBeGreaterThan(32);
    expect(await grid.call(id, 'append', ['after'])).toBe(2);
    expect(grid.servers(id).map((info) => info.pid)).toEqual([server!.pid]);
  });
});
