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
interface Stalled {
  readonly socket: Socket;
  readonly connected: Promise<void>;
  readonly closed: Promise<void>;
  /** True once `closed` has resolved. */
  readonly isClosed: () => boolean;
}

function stalled(port: number, stall: string): Stalled {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve) =>
    socket.once('connect', () => {
      if (stall !== '') socket.write(stall);
      resolve();
    }),
  );
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  return { socket, connected, closed, isClosed: () => isClosed };
}

/**
 * Opens `count` stalled sockets of every kind and waits until each is connected: the
 * server accepts connections in the order they were made, so these come before any
 * opened after this resolves.
 */
async function stalledMany(port: number, count: number, opened: Stalled[]): Promise<Stalled[]> {
  const peers = Array.from({ length: count }, (_, i) => stalled(port, STALLS[i % STALLS.length]!));
  opened.push(...peers);
  await Promise.all(peers.map((peer) => peer.connected));
  return peers;
}

/**
 * Opens stalled sockets (600 at most) until it is stopped, keeping `count` open. `stop`
 * then opens one more and waits until the server has closed every one: that last one was
 * accepted after whatever connected before `stop`, so when it is gone by the deadline,
 * those are older than the deadline. `end` stops the reopening and destroys what is open
 * (the test's clean-up, also when it failed before `stop`).
 */
function keepStalling(port: number, count: number): { stop: () => Promise<void>; end: () => void } {
  const all: Stalled[] = [];
  let stopped = false;
  const open = (): void => {
    if (stopped || all.length >= 600) return;
    const peer = stalled(port, STALLS[all.length % STALLS.length]!);
    all.push(peer);
    void peer.closed.then(open);
  };
  for (let i = 0; i < count; i++) open();
  return {
    stop: async () => {
      stopped = true;
      all.push(stalled(port, STALLS[0]));
      // Each of them closes by the server's deadline; nothing here closes them.
      await Promise.all(all.map((peer) => peer.closed));
    },
    end: () => {
      stopped = true;
      for (const peer of all) peer.socket.destroy();
    },
  };
}

describe('ws transport: connections that never finish their upgrade', () => {
  it('closes 600 of them (silent, a partial request line, headers without their end): those over maxPendingJoins before any within it, those by authTimeoutMs', { timeout: 90_000 }, async () => {
    // The deadline only has to outlast the closing of those over the cap: order is checked, not time.
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, authTimeoutMs: 5000 });
    cleanups.push(() => transport.close());
    const opened: Stalled[] = [];
    cleanups.push(async () => opened.forEach((peer) => peer.socket.destroy()));
    // maxPendingJoins is 64 by default.
    const within = await stalledMany(transport.address().port, 64, opened);
    const over = await stalledMany(transport.address().port, 536, opened);
    await Promise.all(over.map((peer) => peer.closed));
    expect(within.filter((peer) => peer.isClosed())).toHaveLength(0);
    await Promise.all(within.map((peer) => peer.closed));
  });

  it('drops those over maxPendingJoins as they come, and holds those within it', { timeout: 90_000 }, async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, authTimeoutMs: 600_000, maxPendingJoins: 4 });
    cleanups.push(() => transport.close());
    const opened: Stalled[] = [];
    cleanups.push(async () => opened.forEach((peer) => peer.socket.destroy()));
    const within = await stalledMany(transport.address().port, 4, opened);
    // Six over the cap: the server closes them although the deadline is ten minutes away.
    const over = await stalledMany(transport.address().port, 6, opened);
    await Promise.all(over.map((peer) => peer.closed));
    // One more, accepted after all of them: once it is dropped, the server has seen every one before it.
    const [last] = await stalledMany(transport.address().port, 1, opened);
    await last!.closed;
    expect(within.filter((peer) => peer.isClosed())).toHaveLength(0);
    await transport.close();
    await Promise.all(within.map((peer) => peer.closed));
  });

  it('destroys a connection refused with HTTP 503 even when its peer keeps its own side open', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, authTimeoutMs: 600_000, maxPendingJoins: 1 });
    cleanups.push(() => transport.close());
    const joining = await rawPeer(transport.url);
    cleanups.push(async () => void joining.ws.terminate());
    const socket = connect({ port: transport.address().port, host: '127.0.0.1', allowHalfOpen: true });
    cleanups.push(async () => void socket.destroy());
    let error: (Error & { code?: string }) | undefined;
    socket.on('error', (e: Error) => (error ??= e));
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
    // Closed by the server's reset, not from this side.
    expect(error?.code).toMatch(/^(EPIPE|ECONNRESET)$/);
  });

  it.each([
    ['ws', false],
    ['wss', true],
  ] as const)('lets a real agent join over %s while peers without a token keep sockets open before their upgrade, and keeps it past the deadline', { timeout: 120_000 }, async (_scheme, tls) => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, authTimeoutMs: 500, ...(tls ? { tls: { cert: certs.cert, key: certs.key } } : {}) });
    cleanups.push(() => transport.close());
    const stalling = keepStalling(transport.address().port, 32);
    cleanups.push(async () => stalling.end());
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
    await stalling.stop();
    expect(await grid.call(id, 'append', ['after'])).toBe(2);
    expect(grid.servers(id).map((info) => info.pid)).toEqual([server!.pid]);
  });
});
