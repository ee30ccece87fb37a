import { describe, expect, it } from 'vitest';
import { Grid } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { CloseCode, encode } from '@hostgrid/protocol';
import { AgentProcess } from './fixtures/agent-process.js';
import { FakeAgent, joinFor, rawPeer } from './fixtures/fake-peer.js';
import { generateToken, type WsTransportOptions } from './options.js';
import { wsTransport, type WsTransport } from './ws-transport.js';
import { CORE_DIST, FIXTURES, cleanupsAfterEach } from './fixtures/test-setup.js';

const token = generateToken();
const cleanups = cleanupsAfterEach();

/** A transport and a grid on one real agent (host h1), with a Recorder published. */
async function servingGrid(options: Partial<WsTransportOptions> = {}, slots = 1): Promise<{ transport: WsTransport; grid: Grid; id: string }> {
  const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, ...options });
  const agent = AgentProcess.start({ url: transport.url, host: 'h1', slots, token });
  cleanups.push(() => agent[Symbol.asyncDispose]());
  const grid = await Grid.start({ hosts: [{ name: 'h1', slots }], transport });
  cleanups.push(() => grid.terminate({ cleanup: true }));
  await grid.copyFiles(CORE_DIST, FIXTURES);
  const id = await grid.publish(new Recorder('serving'));
  return { transport, grid, id };
}

describe('ws transport: who may join', () => {
  it('refuses a wrong token with 4401 and a reason that tells nothing; the refused agent exits with code 7; the grid serves on', async () => {
    const { transport, grid, id } = await servingGrid();
    const wrong = AgentProcess.start({ url: transport.url, host: 'h2', slots: 1, token: generateToken() });
    cleanups.push(() => wrong[Symbol.asyncDispose]());
    expect(await wrong.exited).toEqual({ code: 7, signal: null });
    expect(wrong.stderr).toMatch(/refused to let us join \(close 4401 \("unauthorized"\)\): check the token/);
    const forged = await rawPeer(transport.url, (nonce) => joinFor(generateToken(), nonce, { role: 'host', host: 'h3', slot: 0, ticket: '' }));
    expect(await forged.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'unauthorized' });
    // The right token but a ticket nobody issued.
    const stray = await rawPeer(transport.url, (nonce) => joinFor(token, nonce, { role: 'slot', host: 'h1', slot: 0, ticket: 'made-up' }));
    expect(await stray.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'unauthorized' });
    expect(transport.connectedHosts().map((host) => host.name)).toEqual(['h1']);
    expect(await grid.call(id, 'append', ['after'])).toBe(1);
  });

  it('refuses a peer without the token: a silent one after the deadline (4408), one that sends anything else (4401), an agent with none (exit 2)', async () => {
    const { transport, grid, id } = await servingGrid({ authTimeoutMs: 300 });
    const silent = await rawPeer(transport.url);
    expect(await silent.closed).toEqual({ code: CloseCode.AuthTimeout, reason: 'authentication timed out' });
    const chatty = await rawPeer(transport.url, () => encode({ type: 'hello', version: 3 }));
    expect(await chatty.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'unauthorized' });
    const none = AgentProcess.start({ url: transport.url, host: 'h2', slots: 1 });
    cleanups.push(() => none[Symbol.asyncDispose]());
    expect(await none.exited).toEqual({ code: 2, signal: null });
    expect(none.stderr).toMatch(/no token: set HOSTGRID_TOKEN or give --token-file/);
    expect(await grid.call(id, 'append', ['after'])).toBe(1);
  });

  it('caps connections waiting to authenticate (HTTP 503) and drops one that sends more than 16 KiB before its join', async () => {
    const { transport, grid, id } = await servingGrid({ maxPendingJoins: 2 });
    const waiting = [await rawPeer(transport.url), await rawPeer(transport.url)];
    await expect(rawPeer(transport.url)).rejects.toThrow(/503/);
    for (const peer of waiting) peer.ws.terminate();
    await Promise.all(waiting.map((peer) => peer.closed));
    const flood = await rawPeer(transport.url);
    flood.ws.send(Buffer.alloc(64 * 1024));
    expect((await flood.closed).code).toBe(1006);
    expect(await grid.call(id, 'append', ['after'])).toBe(1);
  });

  it('refuses a second agent for a host that is connected (4409), naming the host', async () => {
    const { transport, grid, id } = await servingGrid();
    const twin = await rawPeer(transport.url, (nonce) => joinFor(token, nonce, { role: 'host', host: 'h1', slot: 0, ticket: '' }, 4));
    expect(await twin.closed).toEqual({ code: CloseCode.HostTaken, reason: 'host "h1" is already connected' });
    expect(await grid.call(id, 'append', ['after'])).toBe(1);
  });

  it('refuses a call and a result over maxFrameBytes at their sender (SerializationError); the worker serves on', async () => {
    const { grid, id } = await servingGrid({ maxFrameBytes: 64 * 1024 }, 2);
    const lost: unknown[] = [];
    grid.on('server-lost', (server) => lost.push(server));
    const [big, small] = await Promise.all([grid.acquireService<Recorder>(id), grid.acquireService<Recorder>(id)]);
    expect(() => big!.echo(new Uint8Array(200_000))).toThrow(expect.objectContaining({ name: 'SerializationError', host: 'h1', message: expect.stringMatching(/over the channel's frame limit of 65532 bytes/) }));
    await expect(big!.bytes(200_000)).rejects.toMatchObject({ name: 'SerializationError', method: 'bytes', message: expect.stringMatching(/over the channel's frame limit of 65532 bytes/) });
    expect(await big!.append('same worker')).toBe(1);
    expect(await small!.append('fine')).toBe(1);
    expect(lost).toEqual([]);
  });

  it('closes a worker whose message is over maxFrameBytes anyway (1009, ProtocolError); the controller keeps serving', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, maxFrameBytes: 64 * 1024 });
    const agent = AgentProcess.start({ url: transport.url, host: 'h1', slots: 1, token });
    cleanups.push(() => agent[Symbol.asyncDispose]());
    const fake = new FakeAgent(transport.url, token, 'rogue');
    cleanups.push(() => fake[Symbol.asyncDispose]());
    await fake.join(1);
    const grid = await Grid.start({ hosts: ['h1', 'rogue'], transport });
    cleanups.push(() => grid.terminate({ cleanup: true }));
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('serving'));
    const lost = new Promise<Error>((resolve) => grid.once('server-lost', (_server, error) => resolve(error)));
    // A worker that ignores the agreed limit: its oversized message is refused by the endpoint.
    fake.slots[0]!.send({ type: 'result', id: 1, value: new Uint8Array(200_000) });
    const error = await lost;
    expect(error).toMatchObject({ name: 'WorkerLostError', host: 'rogue' });
    expect(error.message).toMatch(/over the limit of 65536 bytes/);
    expect(await grid.call(id, 'append', ['fine'])).toBe(1);
  });

  it('names every host that never joined when joinTimeoutMs runs out', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, joinTimeoutMs: 1500 });
    const agent = AgentProcess.start({ url: transport.url, host: 'h1', slots: 1, token });
    cleanups.push(() => agent[Symbol.asyncDispose]());
    await expect(Grid.start({ hosts: ['h1', 'h2', 'h3'], transport })).rejects.toMatchObject({
      name: 'JoinTimeoutError',
      missing: ['h2', 'h3'],
      message: expect.stringMatching(/hosts "h2", "h3" did not join within 1500 ms: run `npx @hostgrid\/cli agent --connect ws:\/\/127\.0\.0\.1:\d+ --host <name> --slots <n> --token-file <file>`/),
    });
  });
});
