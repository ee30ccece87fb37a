/**
 * The conformance suites every transport runs, as vitest suites (vitest is an optional
 * peer dependency of `@hostgrid/core`, needed only here): the service semantics of
 * {@link describeTransportConformance} and the file staging of
 * {@link describeStagingConformance}.
 *
 * @example
 * ```ts
 * import { describeTransportConformance } from '@hostgrid/core/testing/conformance';
 * import { localTransport } from '@hostgrid/transport-local';
 *
 * describeTransportConformance('local', {
 *   transport: () => localTransport(),
 *   hosts: [{ name: 'local', slots: 2 }],
 *   killWorker: (server) => process.kill(server.pid, 'SIGKILL'),
 *   isRunning: (server) => { try { process.kill(server.pid, 0); return true; } catch { return false; } },
 * });
 * ```
 *
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ServerInfo } from '../events.js';
import { Grid, type GridOptions } from '../grid.js';
import type { HostSpec } from '../host-spec.js';
import type { Transport } from '../transport.js';
import { Recorder } from './services/recorder.js';

/** What the suite may ask of a transport it makes. */
export interface TransportLimits {
  /** Pass it to the transport's own `maxFrameBytes` option: the frame-limit test asks for a small one. */
  readonly maxFrameBytes?: number;
}

/** How the conformance suite drives one transport. */
export interface ConformanceOptions<T extends Transport = Transport> {
  /** Makes a fresh transport; called once per test, with `limits` for the frame-limit test. */
  transport(limits?: TransportLimits): T | Promise<T>;
  /** The hosts to start; together they must have at least 2 slots. */
  readonly hosts: ReadonlyArray<string | HostSpec>;
  /** Ends one worker abruptly, as a crash would (SIGKILL for a process). */
  killWorker(server: ServerInfo, transport: T): void | Promise<void>;
  /** Whether a worker is still running (asked after `terminate`; e.g. `process.kill(pid, 0)`). */
  isRunning(server: ServerInfo, transport: T): boolean | Promise<boolean>;
  /** More grid options (heartbeat timing, …). */
  readonly gridOptions?: Partial<GridOptions>;
  /**
   * A host that is not in `hosts`, for the test of `grid.addHost` (a host joining after
   * publish). A transport whose hosts dial in should have it ready to join (or started by
   * `joinLateHost`).
   */
  readonly lateHost?: HostSpec;
  /** Makes `lateHost` reachable before it is added (e.g. starts its agent); called by the addHost test. */
  joinLateHost?(host: HostSpec, transport: T): void | Promise<void>;
}

const serviceUrl = (name: string): string => new URL(`./services/${name}.js`, import.meta.url).href;
/** Core's built folder: the compiled services import two of its modules by relative path. */
const CORE_DIST = fileURLToPath(new URL('../', import.meta.url));
const SERVICE_FILES = ['testing/services/*.js', 'class-registry.js', 'errors.js'];

/**
 * The behaviour every transport must show, as a vitest suite: the seed's service
 * semantics end to end (order, waiting, release, broadcast and scatter, errors, loss,
 * termination) through a real {@link Grid}. Each transport runs it from a short spec:
 *
 * @example
 * ```ts
 * describeTransportConformance('local', {
 *   transport: () => localTransport(),
 *   hosts: [{ name: 'local', slots: 3 }],
 *   killWorker: (server) => process.kill(server.pid, 'SIGKILL'),
 *   isRunning: (server) => isAlive(server.pid),
 * });
 * ```
 */
export function describeTransportConformance<T extends Transport>(name: string, options: ConformanceOptions<T>): void {
  const totalSlots = options.hosts.reduce((n, host) => n + (typeof host === 'string' ? 1 : (host.slots ?? 1)), 0);

  async function startGrid(limits?: TransportLimits): Promise<{ grid: Grid; transport: T; id: string } & AsyncDisposable> {
    const transport = await options.transport(limits);
    const grid = await Grid.start({ ...options.gridOptions, hosts: options.hosts, transport });
    try {
      // The services reach the hosts as a user's modules would: staged, with what they import.
      await grid.copyFiles(CORE_DIST, SERVICE_FILES);
      const id = await grid.publish(new Recorder('published'));
      return { grid, transport, id, [Symbol.asyncDispose]: () => grid.terminate({ cleanup: true }) };
    } catch (error) {
      await grid.terminate({ cleanup: true });
      throw error;
    }
  }

  describe(`transport conformance: ${name}`, () => {
    it('needs at least 2 slots to test with', () => {
      expect(totalSlots).toBeGreaterThanOrEqual(2);
    });

    it('starts one server per slot, each holding its own copy of the published object', async () => {
      await using g = await startGrid();
      const servers = g.grid.servers(g.id);
      expect(servers).toHaveLength(totalSlots);
      const a = await g.grid.acquireService<Recorder>(g.id);
      const b = await g.grid.acquireService<Recorder>(g.id);
      a.append('only-a');
      const [reportA, reportB] = await Promise.all([a.report(), b.report()]);
      expect(reportA).toEqual({ label: 'published', log: ['only-a'], maxOverlap: 0 });
      expect(reportB.log).toEqual([]);
    });

    it('runs calls on one proxy in call order, one at a time, even when they are async', async () => {
      await using g = await startGrid();
      const proxy = await g.grid.acquireService<Recorder>(g.id);
      const results = [proxy.slowAppend('a', 40), proxy.append('b'), proxy.slowAppend('c', 1), proxy.append('d')];
      expect(await g.grid.gather(results)).toEqual([1, 2, 3, 4]);
      expect(await proxy.report()).toMatchObject({ log: ['a', 'b', 'c', 'd'], maxOverlap: 1 });
    });

    it('makes acquire wait while every server is busy and wakes waiters first come, first served', async () => {
      await using g = await startGrid();
      const held = await Promise.all(Array.from({ length: totalSlots }, () => g.grid.acquireService<Recorder>(g.id)));
      const order: number[] = [];
      const waiters = [1, 2, 3].map((n) =>
        g.grid.acquireService<Recorder>(g.id).then((proxy) => {
          order.push(n);
          return proxy;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(order).toEqual([]);
      g.grid.releaseService(held[0]!);
      const first = await waiters[0]!;
      g.grid.releaseService(held[1]!);
      await waiters[1]!;
      g.grid.releaseService(first);
      await waiters[2]!;
      expect(order).toEqual([1, 2, 3]);
    });

    it('frees a released server only after its last call ends, and at once when it is idle', async () => {
      await using g = await startGrid();
      const held = await Promise.all(Array.from({ length: totalSlots }, () => g.grid.acquireService<Recorder>(g.id)));
      const slow = held[0]!.slowAppend('slow', 60);
      g.grid.releaseService(held[0]!);
      const next = await g.grid.acquireService<Recorder>(g.id);
      expect(slow.settled).toBe(true);
      expect(await next.report()).toMatchObject({ log: ['slow'] });

      g.grid.releaseService(held[1]!);
      const idle = await g.grid.acquireService<Recorder>(g.id, { timeout: 5_000 });
      expect(await idle.append('x')).toBe(1);
    });

    it('refuses calls on a released proxy with ProxyReleasedError', async () => {
      await using g = await startGrid();
      const proxy = await g.grid.acquireService<Recorder>(g.id);
      g.grid.releaseService(proxy);
      expect(() => proxy.append('late')).toThrow(expect.objectContaining({ name: 'ProxyReleasedError' }));
    });

    it('broadcasts to every server and scatters argument lists in server order', async () => {
      await using g = await startGrid();
      expect(await g.grid.gather(g.grid.broadcast(g.id, 'append', 'all'))).toEqual(Array(totalSlots).fill(1));
      const lists = Array.from({ length: totalSlots }, (_, i) => [`s${i}`]);
      expect(await g.grid.gather(g.grid.scatter(g.id, 'append', lists))).toEqual(Array(totalSlots).fill(2));
      const reports = await g.grid.gather(g.grid.broadcast<{ log: string[] }>(g.id, 'report'));
      expect(reports.map((report) => report.log)).toEqual(lists.map(([entry]) => ['all', entry]));
    });

    it('gives RemoteError with the remote name, stack, data, method and host when a method throws', async () => {
      await using g = await startGrid();
      const proxy = await g.grid.acquireService<Recorder>(g.id);
      const error = await proxy.fail('boom').then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ name: 'RemoteError', remoteName: 'RangeError', method: 'fail', service: g.id, data: { code: 'E_FIXTURE' } });
      expect(g.grid.hosts.map((host) => host.name)).toContain((error as { host: string }).host);
      expect((error as Error).message).toMatch(/RangeError: boom/);
      expect((error as { remoteStack: string }).remoteStack).toMatch(/fail/);
      await expect(proxy.failLater('later')).rejects.toMatchObject({ name: 'RemoteError', remoteName: 'TypeError' });
      expect(await proxy.append('still serving')).toBe(1);
    });

    it('names unknown methods and unknown services clearly', async () => {
      await using g = await startGrid();
      const proxy = await g.grid.acquireService<Recorder & { nope(): void }>(g.id);
      expect(() => proxy.nope()).toThrow(/"nope" is not a method of service .*; its methods are: .*slowAppend/);
      expect(() => (proxy as unknown as { size: () => void }).size()).toThrow(expect.objectContaining({ name: 'MethodNotFoundError' }));
      expect(() => g.grid.broadcast(g.id, 'constructor')).toThrow(expect.objectContaining({ name: 'MethodNotFoundError' }));
      await expect(g.grid.acquireService('Nope.1')).rejects.toMatchObject({ name: 'ServiceNotFoundError', message: expect.stringMatching(/Service "Nope.1" not known/) });
    });

    it('times out get(timeout) without freeing the server, and the call still completes', async () => {
      await using g = await startGrid();
      const held = await Promise.all(Array.from({ length: totalSlots }, () => g.grid.acquireService<Recorder>(g.id)));
      const call = held[0]!.sleep(150);
      await expect(call.get(10)).rejects.toMatchObject({ name: 'TimeoutError', method: 'sleep' });
      await expect(g.grid.acquireService(g.id, { timeout: 10 })).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(await call).toBe('slept');
    });

    it('carries Map, Set, Date, BigInt, typed arrays and undefined both ways', async () => {
      await using g = await startGrid();
      const proxy = await g.grid.acquireService<Recorder>(g.id);
      const value = { map: new Map([[1, { a: [1n] }]]), set: new Set(['x']), date: new Date(0), big: 2n ** 70n, f64: new Float64Array([0.5, -1]), nothing: undefined };
      expect(await proxy.echo(value)).toEqual(value);
      const mib = new Float64Array(131_072).map((_, i) => i / 3);
      expect(await proxy.echo(mib)).toEqual(mib);
    });

    it('refuses an unsendable argument at the call, before anything is sent, and an unsendable result', async () => {
      await using g = await startGrid();
      const proxy = await g.grid.acquireService<Recorder>(g.id);
      expect(() => proxy.echo(() => 1)).toThrow(expect.objectContaining({ name: 'SerializationError' }));
      await expect(proxy.unsendable()).rejects.toMatchObject({ name: 'SerializationError', message: expect.stringMatching(/unsendable/) });
      expect(await proxy.append('fine')).toBe(1);
    });

    it('refuses a call, a publish and a result over the frame limit at their sender with SerializationError; no server is lost', async () => {
      const limit = 1024 * 1024;
      await using g = await startGrid({ maxFrameBytes: limit });
      const lost: ServerInfo[] = [];
      g.grid.on('server-lost', (server) => lost.push(server));
      const big = new Uint8Array(2 * limit);
      const proxy = await g.grid.acquireService<Recorder & { bytes(n: number): Uint8Array }>(g.id);
      const server = g.grid.servers(g.id).find((info) => info.busy)!;
      const tooBig = expect.stringMatching(/over the channel's frame limit of \d+ bytes/);
      expect(() => proxy.echo(big)).toThrow(expect.objectContaining({ name: 'SerializationError', method: 'echo', message: tooBig }));
      expect(() => g.grid.broadcast(g.id, 'echo', big)).toThrow(expect.objectContaining({ name: 'SerializationError', message: expect.stringMatching(/nothing was sent/) }));
      await expect(g.grid.call(g.id, 'echo', [big])).rejects.toMatchObject({ name: 'SerializationError', method: 'echo' });
      await expect(proxy.bytes(2 * limit)).rejects.toMatchObject({ name: 'SerializationError', method: 'bytes', host: server.host, slot: server.slot, message: expect.stringMatching(/"Recorder\.bytes".*over the channel's frame limit/) });
      // Just under the limit still goes both ways.
      expect((await proxy.bytes(limit / 2)).byteLength).toBe(limit / 2);
      expect(await proxy.append('after')).toBe(1);
      g.grid.releaseService(proxy);
      const heavy = Object.assign(new Recorder('heavy'), { log: ['x'.repeat(2 * limit)] });
      await expect(g.grid.publish(heavy)).rejects.toMatchObject({ name: 'SerializationError', message: expect.stringMatching(/published state of "Recorder\.\d+".*over the channel's frame limit/) });
      expect(g.grid.services()).toEqual([g.id]);
      expect(g.grid.servers(g.id)).toHaveLength(totalSlots);
      const counts = await g.grid.gather(g.grid.broadcast<number>(g.id, 'append', 'all'));
      expect(counts.sort()).toEqual([...Array<number>(totalSlots - 1).fill(1), 2]);
      expect(g.grid.servers(g.id).find((info) => info.host === server.host && info.slot === server.slot)?.pid).toBe(server.pid);
      expect(lost).toEqual([]);
    });

    it('rejects a killed worker\'s pending call with WorkerLostError, and the other servers keep working', async () => {
      await using g = await startGrid();
      const lost: ServerInfo[] = [];
      g.grid.on('server-lost', (server) => lost.push(server));
      const proxy = await g.grid.acquireService<Recorder>(g.id);
      const victim = g.grid.servers(g.id).find((server) => server.busy)!;
      const pending = proxy.sleep(60_000);
      await options.killWorker(victim, g.transport);
      await expect(pending).rejects.toMatchObject({ name: 'WorkerLostError', host: victim.host, slot: victim.slot, method: 'sleep' });
      expect(lost).toMatchObject([{ host: victim.host, slot: victim.slot }]);
      expect(g.grid.servers(g.id)).toHaveLength(totalSlots - 1);
      await expect(proxy.append('after')).rejects.toMatchObject({ name: 'WorkerLostError' });
      const other = await g.grid.acquireService<Recorder>(g.id);
      expect(await other.append('alive')).toBe(1);
    });

    it('publishes nothing and gives LoadError when a host cannot load the module', async () => {
      await using g = await startGrid();
      await expect(g.grid.publish({ module: serviceUrl('broken-module'), export: 'Nothing' })).rejects.toMatchObject({
        name: 'LoadError',
        message: expect.stringMatching(/fails on import/),
      });
      await expect(g.grid.publish({ module: serviceUrl('recorder'), export: 'NotThere' })).rejects.toMatchObject({ name: 'LoadError' });
      expect(g.grid.services()).toEqual([g.id]);
    });

    it('publishes by construction on every host with publish({ module, export, args })', async () => {
      await using g = await startGrid();
      const id = await g.grid.publish({ module: serviceUrl('recorder'), export: 'Recorder', args: ['constructed'] });
      expect(id).toBe('Recorder.2');
      const reports = await g.grid.gather(g.grid.broadcast<{ label: string }>(id, 'report'));
      expect(reports.map((report) => report.label)).toEqual(Array(totalSlots).fill('constructed'));
    });

    it.runIf(options.lateHost !== undefined)('gives a host added after publish every service, staged files included, and it serves calls', async () => {
      await using g = await startGrid();
      const late = options.lateHost!;
      await options.joinLateHost?.(late, g.transport);
      const added = await g.grid.addHost(late);
      const slots = late.slots ?? 1;
      expect(added.map((server) => server.host)).toEqual(Array.from({ length: slots }, () => late.name));
      expect(g.grid.servers(g.id)).toHaveLength(totalSlots + slots);
      // Every server answers, the new ones with a fresh copy of what was published.
      const results = g.grid.broadcast<number>(g.id, 'append', 'x');
      expect(await g.grid.gather(results)).toEqual(Array.from({ length: totalSlots + slots }, () => 1));
      const staged = await g.grid.publish({ module: serviceUrl('recorder'), export: 'Recorder', args: ['late'] });
      expect(g.grid.servers(staged).filter((server) => server.host === late.name)).toHaveLength(slots);
    });

    it('terminates one service without touching the others', async () => {
      await using g = await startGrid();
      const other = await g.grid.publish(new Recorder('other'));
      const proxy = await g.grid.acquireService<Recorder>(g.id);
      const pending = proxy.sleep(60_000);
      await g.grid.terminate(g.id);
      await expect(pending).rejects.toMatchObject({ name: 'HaltedError' });
      await expect(g.grid.acquireService(g.id)).rejects.toMatchObject({ name: 'ServiceNotFoundError' });
      const survivor = await g.grid.acquireService<Recorder>(other);
      expect(await survivor.report()).toMatchObject({ label: 'other' });
    });

    it('terminate rejects pending calls with HaltedError and leaves no worker running', async () => {
      const g = await startGrid();
      const servers = g.grid.servers(g.id);
      const proxy = await g.grid.acquireService<Recorder>(g.id);
      const pending = proxy.sleep(60_000);
      await g.grid.terminate({ cleanup: true });
      await expect(pending).rejects.toMatchObject({ name: 'HaltedError' });
      expect(g.grid.isHalted()).toBe(true);
      await expect(g.grid.acquireService(g.id)).rejects.toMatchObject({ name: 'HaltedError' });
      for (const server of servers) expect(await options.isRunning(server, g.transport)).toBe(false);
    });
  });
}

export { describeStagingConformance } from './staging-conformance.js';
