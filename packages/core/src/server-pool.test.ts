import { describe, expect, it } from 'vitest';
import { HaltedError, WorkerLostError } from './errors.js';
import { Server } from './server.js';
import { ServerPool } from './server-pool.js';
import type { WorkerLink } from './worker-link.js';

function poolOf(n: number, hostOf: (i: number) => string = () => 'h'): { pool: ServerPool; servers: Server[] } {
  const pool = new ServerPool('S.1');
  const servers = Array.from({ length: n }, (_, i) => new Server({ label: `${hostOf(i)}/${i}`, host: { name: hostOf(i) }, slot: i } as WorkerLink, 'S.1'));
  for (const server of servers) pool.add(server);
  return { pool, servers };
}

const lostError = new WorkerLostError({ message: 'lost' });

describe('ServerPool', () => {
  it('hands out a free server at once and marks it busy', () => {
    const { pool, servers } = poolOf(2);
    const server = pool.acquire();
    expect(server).toBeInstanceOf(Server);
    expect((server as Server).busy).toBe(true);
    expect(servers.filter((s) => s.busy)).toHaveLength(1);
  });

  it('makes acquire wait while all are busy and wakes waiters first come, first served', async () => {
    const { pool } = poolOf(1);
    const held = pool.acquire() as Server;
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => Promise.resolve(pool.acquire()).then((s) => (order.push(n), s)));
    expect(pool.waiting).toBe(3);
    pool.release(held);
    pool.release(await waiters[0]!);
    pool.release(await waiters[1]!);
    await waiters[2];
    expect(order).toEqual([1, 2, 3]);
    expect(pool.waiting).toBe(0);
  });

  it('defers a release until the server\'s last call has ended', async () => {
    const { pool } = poolOf(1);
    const held = pool.acquire() as Server;
    held.inflight = 2;
    const waiter = pool.acquire();
    let got = false;
    void Promise.resolve(waiter).then(() => (got = true));
    pool.release(held);
    held.callEnded(1, 'f');
    await Promise.resolve();
    expect(got).toBe(false);
    held.callEnded(1, 'g');
    expect(await waiter).toBe(held);
    expect(held.jobs).toBe(2);
  });

  it('rejects a waiter after its timeout with TimeoutError and forgets it', async () => {
    const { pool } = poolOf(1);
    const held = pool.acquire() as Server;
    await expect(pool.acquire({ timeout: 5 })).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 5 });
    expect(pool.waiting).toBe(0);
    pool.release(held);
    expect(pool.acquire()).toBe(held);
  });

  it('rejects a waiter with the abort reason when its signal aborts', async () => {
    const { pool } = poolOf(1);
    pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire({ signal: controller.signal });
    controller.abort(new Error('no longer needed'));
    await expect(waiting).rejects.toThrow('no longer needed');
    expect(pool.waiting).toBe(0);
    await expect(pool.acquire({ signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  it('rejects every waiter with WorkerLostError when its last server is lost', async () => {
    const { pool, servers } = poolOf(2);
    pool.acquire();
    pool.acquire();
    const waiting = pool.acquire();
    pool.remove(servers[0]!, lostError);
    expect(pool.waiting).toBe(1);
    pool.remove(servers[1]!, lostError);
    await expect(waiting).rejects.toMatchObject({ name: 'WorkerLostError', message: expect.stringMatching(/no servers left/) });
    await expect(pool.acquire()).rejects.toMatchObject({ name: 'WorkerLostError' });
  });

  it('never hands out a lost server', () => {
    const { pool, servers } = poolOf(2);
    pool.remove(servers[0]!, lostError);
    expect(pool.acquire()).toBe(servers[1]);
  });

  it('rejects waiters and refuses acquires once halted', async () => {
    const { pool } = poolOf(1);
    pool.acquire();
    const waiting = pool.acquire();
    pool.halt(new HaltedError({ message: 'stop' }));
    await expect(waiting).rejects.toMatchObject({ name: 'HaltedError' });
    await expect(pool.acquire()).rejects.toMatchObject({ name: 'HaltedError' });
  });

  it('serves a claim on one server before general waiters', async () => {
    const { pool, servers } = poolOf(2);
    const a = pool.acquire() as Server;
    pool.acquire();
    const waiter = pool.acquire();
    const claimed: Server[] = [];
    pool.claim(a, (s) => claimed.push(s), () => undefined);
    expect(claimed).toEqual([]);
    pool.release(a);
    expect(claimed).toEqual([a]);
    pool.release(a);
    expect(await waiter).toBe(a);
    pool.claim(servers[1]!, (s) => claimed.push(s), () => undefined);
    expect(claimed).toHaveLength(1);
  });

  it('prefers the free server whose recent calls were fastest', () => {
    const { pool, servers } = poolOf(3);
    const taken = [pool.acquire(), pool.acquire(), pool.acquire()] as Server[];
    for (const [server, ms] of [[servers[0]!, 9], [servers[1]!, 1], [servers[2]!, 5]] as const) {
      server.inflight = 1;
      server.callEnded(ms, 'f');
    }
    for (const server of taken) pool.release(server);
    expect(pool.acquire()).toBe(servers[1]);
    expect(pool.acquire()).toBe(servers[2]);
  });

  it('hands out a server on the host asked for, and a waiter for a host only one of that host (FIFO among those it fits)', async () => {
    const { pool, servers } = poolOf(3, (i) => (i === 2 ? 'b' : 'a'));
    expect(pool.acquire({ host: 'b' })).toBe(servers[2]);
    const onB = pool.acquire({ host: 'b' });
    const any = pool.acquire();
    expect(pool.waiting).toBe(1);
    expect(await any).not.toBe(servers[2]);
    pool.acquire();
    const anyAgain = pool.acquire();
    // A server of host "a" comes back: the waiter for "b" is skipped, the later one for any host takes it.
    pool.release(servers[0]!);
    expect(await anyAgain).toBe(servers[0]);
    expect(pool.waiting).toBe(1);
    pool.release(servers[2]!);
    expect(await onB).toBe(servers[2]);
  });

  it('refuses a host with no server of the service, naming the hosts it has', async () => {
    const { pool } = poolOf(2, () => 'a');
    await expect(pool.acquire({ host: 'nowhere' })).rejects.toMatchObject({ name: 'WorkerLostError', message: expect.stringContaining('no server on host "nowhere"; its servers are on: a') });
  });

  it('retires a server: never handed out again, its claims and its host\'s waiters fail, and the last one ends every waiter', async () => {
    const { pool, servers } = poolOf(2, (i) => (i === 0 ? 'a' : 'b'));
    const a = pool.acquire({ host: 'a' }) as Server;
    const b = pool.acquire({ host: 'b' }) as Server;
    const forA = pool.acquire({ host: 'a' });
    const forAny = pool.acquire();
    const failed: Error[] = [];
    pool.claim(a, () => failed.push(new Error('ran')), (error) => failed.push(error));
    const gone = new WorkerLostError({ host: 'a', message: 'host "a" was removed' });
    pool.retire(servers[0]!, gone);
    expect(failed).toEqual([gone]);
    await expect(forA).rejects.toBe(gone);
    expect(pool.servers).toEqual([b]);
    expect(pool.retiring).toEqual([a]);
    pool.release(a);
    expect(a.busy).toBe(false);
    expect(pool.waiting).toBe(1);
    pool.release(b);
    expect(await forAny).toBe(b);
    pool.retire(b, gone);
    await expect(pool.acquire()).rejects.toMatchObject({ name: 'WorkerLostError' });
    pool.drop(a);
    expect(pool.retiring).toEqual([b]);
  });
});
