/**
 * Failure detection on the local transport: how long after a worker is killed with
 * SIGKILL its pending call rejects with WorkerLostError.
 */
import { Grid } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { Adder } from './adder.js';
import { summary } from './measure.js';
import type { Row } from './table.js';

/** Runs the faults group. */
export async function benchFaults(rounds: number, quick: boolean): Promise<{ rows: Row[]; notes: string[] }> {
  const grid = await Grid.start({ hosts: [{ name: 'local', slots: 2 }], transport: localTransport() });
  try {
    const id = await grid.publish(new Adder(), { restart: { maxRestarts: 1000, backoffMs: 1 } });
    const times: number[] = [];
    for (let i = 0; i < (quick ? 5 : rounds * 4); i++) {
      const proxy = await grid.acquireService<Adder>(id);
      const victim = grid.servers(id).find((server) => server.busy)!;
      const pending = proxy.sleep(60_000).then(
        () => 'resolved',
        (error: unknown) => (error as Error).name,
      );
      const began = performance.now();
      process.kill(victim.pid, 'SIGKILL');
      const outcome = await pending;
      times.push(performance.now() - began);
      if (outcome !== 'WorkerLostError') throw new Error(`bench: a killed worker's call ended with ${outcome}`);
      grid.releaseService(proxy);
      await new Promise((resolve) => grid.once('server-restarted', resolve));
    }
    const t = summary(times);
    return {
      rows: [],
      notes: [`A worker killed with SIGKILL: its pending call rejects with WorkerLostError ${t.median.toFixed(2)} ms (${t.min.toFixed(2)}–${t.max.toFixed(2)}) after the kill, over ${times.length} kills (local transport).`],
    };
  } finally {
    await grid.terminate({ cleanup: true });
  }
}
