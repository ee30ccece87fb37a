import { createWorkerSession } from '@hostgrid/worker';
import { Grid } from '@hostgrid/core';
import { Recorder, memoryTransport, type MemoryTransport } from '@hostgrid/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const transports: MemoryTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

describe('Grid.addHost of a host whose restart is pending', () => {
  it('serves an acquire waiting on the restart with the rejoined host', async () => {
    const memory = memoryTransport({ serve: createWorkerSession });
    transports.push(memory);
    await using grid = await Grid.start({ hosts: ['only'], transport: memory });
    // A long first backoff: the restart is still waiting when the host rejoins.
    const id = await grid.publish(new Recorder(), { restart: { maxRestarts: 1, backoffMs: 60_000 } });
    const lost = new Promise((resolve) => grid.once('server-lost', resolve));
    memory.crash('only', 0);
    await lost;
    const waiting = grid.acquireService<Recorder>(id);
    await grid.addHost('only');
    const proxy = await waiting;
    expect(await proxy.append('z')).toBe(1);
    grid.releaseService(proxy);
  });
});
