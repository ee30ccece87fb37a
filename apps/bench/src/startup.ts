/**
 * Starting a grid and publishing on it against the number of hosts (1, 2, 4 local hosts
 * of one slot each): `Grid.start` beside the bare floor start (as many raw floor workers
 * spawned at once, each answering one call), and `publish` of two services beside the
 * same publish on one host: {@link Adder}, whose module imports `@hostgrid/core` (for
 * `registerClass`, as user modules do), and {@link PlainAdder}, whose module imports
 * nothing, each on a new grid, so that every publish is its workers' first.
 * Medians over rounds; reported for information (the issue sets no aim).
 */
import { Grid, registerClass } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { Adder } from './adder.js';
import { FloorClient } from './floor-client.js';
import { PlainAdder } from './plain-adder.js';
import { figure, row, type Row } from './table.js';

registerClass(PlainAdder, new URL('./plain-adder.js', import.meta.url));

const HOSTS = [1, 2, 4] as const;

const since = (start: number): number => performance.now() - start;

/** One grid's life, in ms: starting it on `hosts` local hosts, then its first publish (of `service`). */
export async function startAndPublish(hosts: number, service: () => object): Promise<{ start: number; publish: number }> {
  const t0 = performance.now();
  const grid = await Grid.start({ hosts: Array.from({ length: hosts }, (_, i) => ({ name: `h${i}`, slots: 1 })), transport: localTransport() });
  try {
    const start = since(t0);
    const t1 = performance.now();
    await grid.publish(service());
    return { start, publish: since(t1) };
  } finally {
    await grid.terminate({ cleanup: true });
  }
}

/** ms to spawn `workers` raw floor workers at once and have each answer a call. */
export async function floorStart(workers: number): Promise<number> {
  const t0 = performance.now();
  const floors = await Promise.all(Array.from({ length: workers }, () => FloorClient.start()));
  const elapsed = since(t0);
  await Promise.all(floors.map((floor) => floor[Symbol.asyncDispose]()));
  return elapsed;
}

/** Rows per host count: `Grid.start` against the floor start; each `publish` against the same on one host. */
export async function benchStartup(rounds: number): Promise<Row[]> {
  const perHosts = (): number[][] => HOSTS.map(() => []);
  const starts = perHosts();
  const publishes = perHosts();
  const plains = perHosts();
  const floors = perHosts();
  // A throw-away round: the first start pays for cold module loads in this process.
  await startAndPublish(1, () => new Adder());
  await floorStart(1);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < HOSTS.length; k++) {
      const at = (k + r) % HOSTS.length;
      const measureGrid = async (): Promise<void> => {
        // A fresh grid for each service, so that each publish is its workers' first.
        const adder = await startAndPublish(HOSTS[at]!, () => new Adder());
        const plain = await startAndPublish(HOSTS[at]!, () => new PlainAdder());
        starts[at]!.push(adder.start, plain.start);
        publishes[at]!.push(adder.publish);
        plains[at]!.push(plain.publish);
      };
      const measureFloor = async (): Promise<void> => {
        floors[at]!.push(await floorStart(HOSTS[at]!));
      };
      if (r % 2 === 0) {
        await measureGrid();
        await measureFloor();
      } else {
        await measureFloor();
        await measureGrid();
      }
    }
  }
  const rows: Row[] = [];
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const publishRow = (name: string, values: number[][], k: number): Row =>
    k === 0 ? figure(name, 'free', 'ms', values[k]!) : row(name, 'free', 'ms', 'the same on 1 host', values[0]!, values[k]!);
  HOSTS.forEach((hosts, k) => {
    const what = `${plural(hosts, 'host')} × 1 slot`;
    rows.push(row(`Grid.start, ${what}`, 'free', 'ms', `${plural(hosts, 'bare floor worker')} started`, floors[k]!, starts[k]!));
    rows.push(publishRow(`publish Adder (module imports @hostgrid/core), ${what}`, publishes, k));
    rows.push(publishRow(`publish PlainAdder (module imports nothing), ${what}`, plains, k));
  });
  return rows;
}
