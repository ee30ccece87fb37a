import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Grid } from '@hostgrid/core';
import { Recorder } from '@hostgrid/core/testing';
import { AgentProcess } from './fixtures/agent-process.js';
import { makeCertificates } from '@hostgrid/testbed';
import { joinFor, rawPeer } from './fixtures/fake-peer.js';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';

const CORE_DIST = new URL('../../core/dist/', import.meta.url).pathname;
const FIXTURES = ['testing/services/*.js', 'class-registry.js', 'errors.js'];
const token = generateToken();
const certs = await makeCertificates(['127.0.0.1', 'localhost']);
afterAll(() => certs[Symbol.asyncDispose]());
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('ws transport over TLS (wss)', () => {
  it('serves a grid whose agents and slot workers verify the controller against the CA they were given', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, tls: { cert: certs.cert, key: certs.key } });
    expect(transport.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const agent = AgentProcess.start({ url: transport.url, host: 'h1', slots: 2, token, ca: certs.caFile });
    cleanups.push(() => agent[Symbol.asyncDispose]());
    await using grid = await Grid.start({ hosts: [{ name: 'h1', slots: 2 }], transport });
    await grid.copyFiles(CORE_DIST, FIXTURES);
    const id = await grid.publish(new Recorder('over tls'));
    expect(await grid.gather(grid.broadcast(id, 'append', 'x'))).toEqual([1, 1]);
    // A raw client that trusts the CA gets the same challenge as anyone.
    const peer = await rawPeer(transport.url, (nonce) => joinFor(generateToken(), nonce, { role: 'host', host: 'h9', slot: 0, ticket: '' }), { ca: await readFile(certs.caFile) });
    expect((await peer.closed).code).toBe(4401);
  });

  it('has a worker refuse a controller whose certificate it does not trust, saying so and exiting with code 7', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token, tls: { cert: certs.cert, key: certs.key } });
    cleanups.push(() => transport.close());
    const system = AgentProcess.start({ url: transport.url, host: 'h1', slots: 1, token });
    const other = AgentProcess.start({ url: transport.url, host: 'h2', slots: 1, token, ca: certs.otherCaFile });
    cleanups.push(() => system[Symbol.asyncDispose](), () => other[Symbol.asyncDispose]());
    for (const agent of [system, other]) {
      expect(await agent.exited).toEqual({ code: 7, signal: null });
      expect(agent.stderr).toMatch(/the controller's certificate at wss:\/\/127\.0\.0\.1:\d+ is not trusted \(\w+: .*\): give --ca <file> with the CA certificate that signed it/);
    }
    expect(transport.connectedHosts()).toEqual([]);
  });
});
