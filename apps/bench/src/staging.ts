/**
 * Staging throughput: `grid.copyFiles` of a ~2,000-file, ~50 MB tree to 4 local hosts,
 * first copy and unchanged re-copy, side by side with `cp -r` and `rsync -a` of the same
 * tree to 4 folders (each floor runs its 4 copies at once, as the grid does).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Grid } from '@hostgrid/core';
import { localTransport } from '@hostgrid/transport-local';
import { row, type Row } from './table.js';

const run = promisify(execFile);
const HOSTS = 4;

/** A tree like a small scientific project: many small files, a few large ones, nested folders. */
export async function makeTree(root: string, files = 2000): Promise<{ files: number; bytes: number }> {
  let bytes = 0;
  let seed = 12345;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < files; i++) {
    const dir = join(root, `d${i % 20}`, `e${i % 7}`);
    await mkdir(dir, { recursive: true });
    // 40 files of ~0.9 MB, the rest 1–16 KB: about 50 MB in all.
    const size = i % 50 === 0 ? 900_000 + (next() % 100_000) : 1024 + (next() % 15_360);
    const data = Buffer.allocUnsafe(size);
    for (let at = 0; at + 4 <= size; at += 4) data.writeUInt32LE(next(), at);
    await writeFile(join(dir, `f${i}.dat`), data);
    bytes += size;
  }
  return { files, bytes };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** One round: every contender's first copy and unchanged re-copy, in ms. */
export interface StagingRound {
  readonly cp: number;
  readonly rsyncFirst: number;
  readonly rsyncNoop: number;
  readonly hostgridFirst: number;
  readonly hostgridNoop: number;
}

/** Runs one round in fresh destinations; `hostgridFirstInOrder` alternates who goes first. */
export async function stagingRound(source: string, hostgridFirstInOrder: boolean): Promise<StagingRound> {
  const scratch = await mkdtemp(join(tmpdir(), 'hostgrid-bench-dest-'));
  try {
    const dests = (tool: string): string[] => Array.from({ length: HOSTS }, (_, i) => join(scratch, `${tool}${i}`));
    const floors = async (): Promise<Pick<StagingRound, 'cp' | 'rsyncFirst' | 'rsyncNoop'>> => {
      const cp = await timed(() => Promise.all(dests('cp').map((dest) => run('cp', ['-r', source, dest]))));
      const rsync = (): Promise<unknown> => Promise.all(dests('rsync').map((dest) => run('rsync', ['-a', `${source}/`, `${dest}/`])));
      const rsyncFirst = await timed(rsync);
      const rsyncNoop = await timed(rsync);
      return { cp, rsyncFirst, rsyncNoop };
    };
    const hostgrid = async (): Promise<Pick<StagingRound, 'hostgridFirst' | 'hostgridNoop'>> => {
      const hosts = dests('grid').map((tempPath, i) => ({ name: `h${i}`, tempPath }));
      const grid = await Grid.start({ hosts, transport: localTransport() });
      try {
        const hostgridFirst = await timed(() => grid.copyFiles(source, ['*']));
        const hostgridNoop = await timed(() => grid.copyFiles(source, ['*']));
        return { hostgridFirst, hostgridNoop };
      } finally {
        await grid.terminate();
      }
    };
    if (hostgridFirstInOrder) {
      const h = await hostgrid();
      return { ...h, ...(await floors()) };
    }
    const f = await floors();
    return { ...f, ...(await hostgrid()) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Whether `rsync` is installed (the staging floors need it). */
export async function hasRsync(): Promise<boolean> {
  try {
    await run('rsync', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** The staging comparisons, each floor and Hostgrid measured in the same rounds. */
export async function benchStaging(rounds: number, quick: boolean): Promise<{ rows: Row[]; tree: { files: number; bytes: number } }> {
  if (!(await hasRsync())) throw new Error('bench: the staging comparison needs rsync (apt-get install rsync)');
  const source = await mkdtemp(join(tmpdir(), 'hostgrid-bench-tree-'));
  try {
    const tree = await makeTree(source, quick ? 200 : 2000);
    const results: StagingRound[] = [];
    for (let r = 0; r < rounds; r++) results.push(await stagingRound(source, r % 2 === 0));
    const of = (key: keyof StagingRound): number[] => results.map((result) => result[key]);
    const what = `${tree.files} files, ${(tree.bytes / 1024 / 1024).toFixed(0)} MB, to ${HOSTS} local hosts`;
    return {
      tree,
      rows: [
        row(`first copy: ${what}`, 'free', 'ms', 'cp -r (4 at once)', of('cp'), of('hostgridFirst'), { kind: 'at most', ratio: 1.5 }),
        row(`first copy: ${what}`, 'free', 'ms', 'rsync -a (4 at once)', of('rsyncFirst'), of('hostgridFirst'), { kind: 'at most', ratio: 1.5 }),
        row(`unchanged re-copy: ${what}`, 'free', 'ms', 'rsync -a no-op (4 at once)', of('rsyncNoop'), of('hostgridNoop'), { kind: 'at most', ratio: 1 }),
      ],
    };
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}
