import { createWorkerSession } from '@hostgrid/worker';
import { Grid, registerClass, type CallEvent } from '@hostgrid/core';
import { Recorder, memoryTransport, type MemoryTransport } from '@hostgrid/core/testing';
import { describe, expect, it } from 'vitest';

async function gridOf(slots: number, transport: MemoryTransport = memoryTransport({ serve: createWorkerSession })): Promise<Grid> {
  return Grid.start({ hosts: [{ name: 'mem', slots }], transport });
}

describe('Grid', () => {
  it('sends calls on a proxy at once (pipelined), not one round trip at a time', async () => {
    const sent: string[] = [];
    const base = memoryTransport({ serve: createWorkerSession });
    const counting: MemoryTransport = {
      ...base,
      spawn: async (request, handlers) => {
        const channel = await base.spawn(request, handlers);
        return { ...channel, close: (ms) => channel.close(ms), kill: () => channel.kill(), send: (frame) => (sent.push('frame'), channel.send(frame)) };
      },
    };
    await using grid = await gridOf(1, counting);
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    const before = sent.length;
    const results = [proxy.slowAppend('a', 20), proxy.append('b'), proxy.append('c')];
    expect(sent.length - before).toBe(3);
    expect(results.every((result) => !result.settled)).toBe(true);
    expect(await grid.gather(results)).toEqual([1, 2, 3]);
  });

  it('names services "<ClassName>.<n>" and counts per class', async () => {
    class Other {
      ping(): string {
        return 'pong';
      }
    }
    registerClass(Other, new URL('./testing/services/recorder.js', import.meta.url));
    await using grid = await gridOf(1);
    expect(await grid.publish(new Recorder())).toBe('Recorder.1');
    expect(await grid.publish(new Recorder())).toBe('Recorder.2');
    await expect(grid.publish(new Other())).rejects.toMatchObject({ name: 'LoadError' });
    expect(grid.services()).toEqual(['Recorder.1', 'Recorder.2']);
  });

  it('refuses to publish an instance of an unregistered class, saying what to add', async () => {
    class Unregistered {}
    await using grid = await gridOf(1);
    await expect(grid.publish(new Unregistered())).rejects.toThrow(/registerClass\(Unregistered, import\.meta\.url\)/);
    await expect(grid.publish({ module: './relative.js' })).rejects.toThrow(/absolute path/);
  });

  it('refuses published state that cannot be sent, with SerializationError', async () => {
    await using grid = await gridOf(1);
    const recorder = Object.assign(new Recorder(), { callback: () => 1 });
    await expect(grid.publish(recorder)).rejects.toMatchObject({ name: 'SerializationError' });
    expect(grid.services()).toEqual([]);
  });

  it('reports each server: host, slot, busy, jobs and mean call time', async () => {
    await using grid = await gridOf(2);
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    await proxy.append('x');
    await proxy.append('y');
    const busy = grid.servers(id).find((server) => server.busy)!;
    expect(busy).toMatchObject({ service: id, host: 'mem', busy: true, inflight: 0, jobs: 2 });
    expect(busy.meanMs).toBeGreaterThan(0);
    grid.releaseService(proxy);
    expect(grid.servers(id).every((server) => !server.busy)).toBe(true);
  });

  it('emits call events and server events', async () => {
    await using grid = await gridOf(1);
    const added: string[] = [];
    const calls: Array<[string, CallEvent]> = [];
    grid.on('server-added', (server) => added.push(`${server.host}/${server.slot}`));
    grid.on('call-started', (call) => calls.push(['started', call]));
    grid.on('call-finished', (call) => calls.push(['finished', call]));
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    await proxy.append('x');
    expect(added).toEqual(['mem/0']);
    expect(calls).toEqual([
      ['started', { service: id, host: 'mem', slot: 0, method: 'append' }],
      ['finished', { service: id, host: 'mem', slot: 0, method: 'append' }],
    ]);
  });

  it('releases a proxy at the end of an `await using` scope', async () => {
    await using grid = await gridOf(1);
    const id = await grid.publish(new Recorder());
    {
      await using proxy = await grid.acquireService<Recorder>(id);
      await proxy.append('scoped');
    }
    const again = await grid.acquireService<Recorder>(id, { timeout: 1_000 });
    expect(await again.report()).toMatchObject({ log: ['scoped'] });
  });

  it('releaseAll frees every proxy handed out', async () => {
    await using grid = await gridOf(2);
    const id = await grid.publish(new Recorder());
    await grid.acquireService(id);
    await grid.acquireService(id);
    grid.releaseAll();
    expect(grid.servers(id).map((server) => server.busy)).toEqual([false, false]);
  });

  it('waits for a held server before a broadcast call runs on it', async () => {
    await using grid = await gridOf(1);
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    const [broadcast] = grid.broadcast<number>(id, 'append', 'from-broadcast');
    await proxy.slowAppend('held-1', 10);
    await proxy.append('held-2');
    expect(broadcast!.settled).toBe(false);
    grid.releaseService(proxy);
    expect(await broadcast!).toBe(3);
  });

  it('gives a proxy that logs and awaits safely', async () => {
    await using grid = await gridOf(1);
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    expect((proxy as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await Promise.resolve(proxy)).toBe(proxy);
    expect(Object.keys(proxy)).toContain('append');
    expect(String(Object.prototype.toString.call(proxy))).toBe('[object Object]');
  });

  it('refuses malformed options clearly', async () => {
    await expect(Grid.start({ hosts: ['a'] } as never)).rejects.toThrow(/needs a "transport"/);
    await expect(Grid.start({ hosts: [], transport: memoryTransport({ serve: createWorkerSession }) })).rejects.toThrow(/non-empty array/);
  });

  it('stops the workers it started when one fails to start', async () => {
    const base = memoryTransport({ serve: createWorkerSession });
    const failing: MemoryTransport = {
      ...base,
      spawn: async (request, handlers) => {
        if (request.slot === 1) throw new Error('no such host');
        return base.spawn(request, handlers);
      },
    };
    await expect(gridOf(3, failing)).rejects.toThrow(/host "mem" slot 1 could not start: no such host/);
    expect(base.isOpen('mem', 0)).toBe(false);
    expect(base.isOpen('mem', 2)).toBe(false);
  });
});

describe('Grid heartbeats', () => {
  it('declares an idle worker lost when it falls silent for interval × misses', async () => {
    let silenced = false;
    const transport = memoryTransport({
      serve: (port) => createWorkerSession({ send: (frame) => void (silenced || port.send(frame)), close: () => port.close() }),
    });
    await using grid = await Grid.start({ hosts: [{ name: 'quiet', slots: 1 }], transport, heartbeat: { intervalMs: 20, misses: 3 } });
    const id = await grid.publish(new Recorder());
    const lost = new Promise<Error>((resolve) => grid.on('server-lost', (_server, error) => resolve(error)));
    silenced = true;
    expect(await lost).toMatchObject({ name: 'WorkerLostError', host: 'quiet', slot: 0, message: expect.stringMatching(/no heartbeat for \d+ ms/) });
    await expect(grid.acquireService(id)).rejects.toMatchObject({ name: 'WorkerLostError', message: expect.stringMatching(/no servers left/) });
  });

  it('reports debug messages as events when debug is on', async () => {
    await using grid = await Grid.start({ hosts: ['d'], transport: memoryTransport({ serve: createWorkerSession }), debug: true });
    const messages: string[] = [];
    grid.on('debug', (message) => messages.push(message));
    const id = await grid.publish(new Recorder());
    grid.setDebug(true, true);
    const proxy = await grid.acquireService<Recorder>(id);
    await proxy.append('x');
    grid.setDebug(false);
    await proxy.append('y');
    expect(messages[0]).toMatch(/published Recorder.1 on 1 servers/);
    expect(messages.filter((m) => m.includes('Recorder.1.append'))).toHaveLength(2);
  });
});
