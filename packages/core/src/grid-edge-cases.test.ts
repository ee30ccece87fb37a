import { PROTOCOL_VERSION, decode, encode } from '@hostgrid/protocol';
import { createWorkerSession } from '@hostgrid/worker';
import { Grid, callOptions } from '@hostgrid/core';
import { Recorder, memoryTransport, type MemoryTransport, type MemoryWorkerPort } from '@hostgrid/core/testing';
import { describe, expect, it } from 'vitest';

type PortFilter = (port: MemoryWorkerPort, frame: Uint8Array, slot: number) => void;

/** An in-memory transport whose workers' outgoing frames pass through `filter` (default: sent as they are). */
function filtered(filter: PortFilter): MemoryTransport {
  let nextSlot = 0;
  return memoryTransport({
    serve: (port) => {
      const slot = nextSlot++;
      return createWorkerSession({ send: (frame) => filter(port, frame, slot), close: () => port.close() });
    },
  });
}

const typeOf = (frame: Uint8Array): string => (decode(frame) as { type: string }).type;

describe('Grid edge cases', () => {
  it('rejects a broadcast queued behind a held server when the grid terminates', async () => {
    const grid = await Grid.start({ hosts: [{ name: 'm', slots: 1 }], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    const [queued] = grid.broadcast(id, 'append', 'late');
    await grid.terminate({ cleanup: true });
    await expect(queued!).rejects.toMatchObject({ name: 'HaltedError' });
    expect(() => proxy.append('after')).toThrow(expect.objectContaining({ name: 'HaltedError' }));
  });

  it('rejects a scatter queued behind a held server when its service terminates, and terminate(id) is idempotent', async () => {
    await using grid = await Grid.start({ hosts: [{ name: 'm', slots: 1 }], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    await grid.acquireService<Recorder>(id);
    const [queued] = grid.scatter(id, 'append', [['late']]);
    await grid.terminate(id);
    await expect(queued!).rejects.toMatchObject({ name: 'HaltedError', service: id });
    await expect(grid.terminate(id)).resolves.toBeUndefined();
  });

  it('leaves a worker lost during publish out of the pool', async () => {
    const transport = filtered((port, frame, slot) => {
      port.send(frame);
      if (slot === 0 && typeOf(frame) === 'created') port.close();
    });
    await using grid = await Grid.start({ hosts: [{ name: 'm', slots: 2 }], transport });
    const id = await grid.publish(new Recorder());
    expect(grid.servers(id).map((server) => server.slot)).toEqual([1]);
    const proxy = await grid.acquireService<Recorder>(id);
    expect(await proxy.append('x')).toBe(1);
  });

  it('fails the start, instead of hanging later, when a worker ends in the same turn as its ready', async () => {
    const transport = filtered((port, frame) => {
      port.send(frame);
      if (typeOf(frame) === 'ready') port.close();
    });
    await expect(Grid.start({ hosts: ['m'], transport, startTimeoutMs: 5_000 })).rejects.toMatchObject({ name: 'WorkerLostError', host: 'm' });
  });

  it('gives ProtocolError when a worker sends a bad frame before it is ready', async () => {
    const transport = filtered((port) => port.send(new Uint8Array([0xc1, 0xff])));
    await expect(Grid.start({ hosts: ['m'], transport })).rejects.toMatchObject({ name: 'ProtocolError', message: expect.stringMatching(/sent a bad frame/) });
  });

  it('gives ProtocolError naming both versions when a worker speaks another protocol version', async () => {
    const transport = filtered((port, frame) => {
      const message = decode(frame) as { type: string };
      port.send(message.type === 'ready' ? encode({ ...message, version: 99 }) : frame);
    });
    await expect(Grid.start({ hosts: ['m'], transport })).rejects.toMatchObject({ name: 'ProtocolError', message: expect.stringMatching(new RegExp(`protocol version 99, this controller ${PROTOCOL_VERSION}`)) });
  });

  it('times out a start whose spawn never returns, and stops the workers that did start', async () => {
    const base = memoryTransport({ serve: createWorkerSession });
    const transport: MemoryTransport = { ...base, spawn: (request, handlers) => (request.slot === 1 ? new Promise(() => undefined) : base.spawn(request, handlers)) };
    await expect(Grid.start({ hosts: [{ name: 'm', slots: 2 }], transport, startTimeoutMs: 100 })).rejects.toMatchObject({
      name: 'TimeoutError',
      slot: 1,
      message: expect.stringMatching(/slot 1 was not ready after 100 ms/),
    });
    expect(base.isOpen('m', 0)).toBe(false);
  });

  it('sends nothing when one list of a scatter cannot be sent', async () => {
    await using grid = await Grid.start({ hosts: [{ name: 'm', slots: 2 }], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    expect(() => grid.scatter(id, 'append', [['fine'], [() => 1]])).toThrow(expect.objectContaining({ name: 'SerializationError', message: expect.stringMatching(/scatter list 1/) }));
    const reports = await grid.gather(grid.broadcast<{ log: string[] }>(id, 'report'));
    expect(reports.map((report) => report.log)).toEqual([[], []]);
  });

  it('treats a timeout longer than a timer can wait as no timeout, and refuses a negative one', async () => {
    await using grid = await Grid.start({ hosts: ['m'], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    await expect(proxy.sleep(30).get(Number.POSITIVE_INFINITY)).resolves.toBe('slept');
    await expect(proxy.sleep(30).get(2 ** 40)).resolves.toBe('slept');
    await expect(grid.acquireService(id, { timeout: -1 })).rejects.toThrow(RangeError);
    await expect(grid.acquireService(id, { timeout: Number.NaN })).rejects.toThrow(RangeError);
  });

  it('refuses a negative or NaN timeout with a RangeError naming the option even when a server is free', async () => {
    await using grid = await Grid.start({ hosts: [{ name: 'm', slots: 2 }], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    for (const timeout of [-1, Number.NaN]) {
      await expect(grid.acquireService(id, { timeout })).rejects.toThrow(new RangeError(`[hostgrid] acquireService({ timeout }) must be a number of ms >= 0, got ${timeout}`));
      await expect(grid.call(id, 'append', ['x'], { timeout })).rejects.toThrow(new RangeError(`[hostgrid] call({ timeout }) must be a number of ms >= 0, got ${timeout}`));
    }
    await expect(grid.acquireService(id, { timeout: '5' as unknown as number })).rejects.toThrow(TypeError);
    // Nothing was taken: both servers are free, and nothing was called.
    expect(grid.servers(id).map((server) => [server.busy, server.jobs])).toEqual([[false, 0], [false, 0]]);
    const proxy = await grid.acquireService<Recorder>(id, { timeout: 0 });
    await expect(proxy.append('x').get(-5)).rejects.toThrow(new RangeError('[hostgrid] get(timeout) must be a number of ms >= 0, got -5'));
  });

  it('refuses a negative or NaN startTimeoutMs and shutdownGraceMs before starting anything', async () => {
    const transport = memoryTransport({ serve: createWorkerSession });
    await expect(Grid.start({ hosts: ['m'], transport, startTimeoutMs: -1 })).rejects.toThrow(new RangeError('[hostgrid] Grid.start: "startTimeoutMs" must be a number of ms >= 0, got -1'));
    await expect(Grid.start({ hosts: ['m'], transport, shutdownGraceMs: Number.NaN })).rejects.toThrow(new RangeError('[hostgrid] Grid.start: "shutdownGraceMs" must be a number of ms >= 0, got NaN'));
    await using grid = await Grid.start({ hosts: ['m'], transport });
    expect(grid.hosts).toHaveLength(1);
  });

  it('gives back a server handed to a waiter while its service is being terminated, and the waiter rejects with HaltedError', async () => {
    await using grid = await Grid.start({ hosts: ['m'], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    const holder = await grid.acquireService<Recorder>(id);
    const waiter = grid.acquireService<Recorder>(id);
    // The release hands the server to the waiter at once; the terminate comes before the waiter resumes.
    grid.releaseService(holder);
    const terminated = grid.terminate(id);
    await expect(waiter).rejects.toMatchObject({ name: 'HaltedError', service: id });
    await terminated;
    const again = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(again, { timeout: 5_000 });
    expect(await proxy.append('after')).toBe(1);
  });

  it('gives back a server handed to a waiting map lane while its service is being terminated, and the map rejects with HaltedError', async () => {
    await using grid = await Grid.start({ hosts: ['m'], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    const holder = await grid.acquireService<Recorder>(id);
    const mapped = grid.map(id, 'append', ['never sent']).toArray();
    // Let the map's lane queue for the only server before it is handed over.
    await new Promise((resolve) => setImmediate(resolve));
    grid.releaseService(holder);
    const terminated = grid.terminate(id);
    await expect(mapped).rejects.toMatchObject({ name: 'HaltedError', service: id });
    await terminated;
    const again = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(again, { timeout: 5_000 });
    expect(await proxy.append('after')).toBe(1);
  });

  it('reports a failed proxy call made with an abort signal as unobserved-failure when nobody handles it', async () => {
    await using grid = await Grid.start({ hosts: ['m'], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    const reported = new Promise<unknown>((resolve) => grid.once('unobserved-failure', (event) => resolve(event.error)));
    void proxy.fail('with a signal', callOptions({ signal: new AbortController().signal }));
    expect(await reported).toMatchObject({ name: 'RemoteError', message: expect.stringContaining('with a signal') });
  });

  it('carries a lone UTF-16 surrogate as U+FFFD: three in a string under 64 units, one in a longer one', async () => {
    await using grid = await Grid.start({ hosts: ['m'], transport: memoryTransport({ serve: createWorkerSession }) });
    const id = await grid.publish(new Recorder());
    const proxy = await grid.acquireService<Recorder>(id);
    const cut = '😀'.slice(0, 1);
    expect(await proxy.echo(`a${cut}`)).toBe('a\uFFFD\uFFFD\uFFFD');
    const long = 'x'.repeat(64);
    expect(await proxy.echo(`${long}${cut}`)).toBe(`${long}\uFFFD`);
    // A well-formed string arrives as it was.
    expect(await proxy.echo('😀 ünï')).toBe('😀 ünï');
  });

  it('refuses to start workers on a closed in-memory transport', async () => {
    const transport = memoryTransport({ serve: createWorkerSession });
    await transport.close();
    await expect(Grid.start({ hosts: ['m'], transport })).rejects.toThrow(/the transport is closed/);
  });
});
