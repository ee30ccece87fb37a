import { setTimeout as sleep } from 'node:timers/promises';
import { Grid, type ServiceProxy } from '@hostgrid/core';
import { isGone } from '@hostgrid/testbed';
import { localTransport } from '@hostgrid/transport-local';
import { describe, expect, it } from 'vitest';
import { importDist } from './fixtures/dist.js';
import type { Replica, Sample } from './replica.js';
import type { Rng } from './rng.js';

type ReplicaModule = typeof import('./replica.js');
type RngModule = typeof import('./rng.js');

const SLOTS = 4;
const TASKS = 32;
const KILLS = 6;
const TEMPERATURES = [2.0, 2.2, 2.4, 2.6];

/** One replica-sampling task: set a replica up, sample at three temperatures; its result depends only on `index`. */
function task(proxy: ServiceProxy<Replica>, index: number): Promise<Sample[]> {
  proxy.init({ index, seed: 1000 + index, size: 24 });
  return Promise.all(TEMPERATURES.slice(0, 3).map((t) => proxy.sample(t + index / 100, 120)));
}

describe('chaos: the demo under random worker kills, with a restart policy', () => {
  it('settles every task with its value or a named error, loses none, and leaves no process', async () => {
    const { Replica: LocalReplica, REPLICA_MODULE_URL } = await importDist<ReplicaModule>('replica.js');
    const { Rng: SeededRng } = await importDist<RngModule>('rng.js');
    const rng: Rng = new SeededRng(7);
    const pids = new Set<number>();
    const grid = await Grid.start({ hosts: [{ name: 'local', slots: SLOTS }], transport: localTransport() });
    try {
      grid.on('server-added', (server) => pids.add(server.pid));
      const id = await grid.publish({ module: REPLICA_MODULE_URL, export: 'Replica' }, { restart: { maxRestarts: 20, backoffMs: 10 } });
      for (const server of grid.servers(id)) pids.add(server.pid);

      let kills = 0;
      const killer = (async () => {
        for (let k = 0; k < KILLS; k++) {
          await sleep(20 + Math.floor(rng.next() * 120));
          // Only a server in the middle of a task: every kill must cost a task its server.
          const busy = grid.servers(id).filter((server) => server.busy && server.inflight > 0);
          const victim = busy[Math.floor(rng.next() * busy.length)];
          if (victim === undefined) continue;
          try {
            process.kill(victim.pid, 'SIGKILL');
            kills++;
          } catch {
            // Already gone: it was being replaced.
          }
        }
      })();

      const outcomes = await Promise.all(
        Array.from({ length: TASKS }, async (_, index) => {
          // The application's own retry: a task whose server was lost starts over on another.
          for (let attempt = 0; ; attempt++) {
            const proxy = await grid.acquireService<Replica>(id, { timeout: 60_000 });
            try {
              return { index, ok: true as const, value: await task(proxy, index), attempt };
            } catch (error) {
              if ((error as Error).name !== 'WorkerLostError' || attempt >= 5) return { index, ok: false as const, error: error as Error, attempt };
            } finally {
              grid.releaseService(proxy);
            }
          }
        }),
      );
      await killer;

      expect(kills).toBeGreaterThan(0);
      // Kills took running tasks' servers: those tasks started over, or gave up with a named
      // error. (A task may end between the choice of a victim and its death, so not every
      // kill need cost one; none can cost two.)
      const lostTasks = outcomes.reduce((n, outcome) => n + outcome.attempt + (outcome.ok ? 0 : 1), 0);
      expect(lostTasks).toBeGreaterThanOrEqual(1);
      expect(lostTasks).toBeLessThanOrEqual(kills);
      expect(outcomes).toHaveLength(TASKS);
      for (const outcome of outcomes) {
        if (outcome.ok) {
          // What a task computes depends on its seed alone, so a run that survived the chaos
          // gives exactly what one replica computes here, in this process.
          const replica = new LocalReplica();
          const expected = await task(
            { init: (s: Parameters<Replica['init']>[0]) => replica.init(s), sample: (t: number, n: number) => replica.sample(t, n) } as unknown as ServiceProxy<Replica>,
            outcome.index,
          );
          expect(outcome.value).toEqual(expected);
        } else {
          expect(['WorkerLostError', 'RemoteError', 'TimeoutError', 'HaltedError']).toContain(outcome.error.name);
        }
      }
      expect(outcomes.filter((outcome) => outcome.ok).length).toBeGreaterThan(TASKS / 2);
    } finally {
      await grid.terminate({ cleanup: true });
    }
    for (const pid of pids) expect(isGone(pid)).toBe(true);
  });
});
