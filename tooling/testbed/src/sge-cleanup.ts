/**
 * Removes what crashed SGE test beds left behind (a test run that was SIGKILLed, say):
 * their daemons and job processes, their cells under `SGE_ROOT`, `/etc/hosts` lines and
 * temp dirs. Test beds whose owner process still runs are left alone unless forced.
 */
import { readdirSync, readFileSync, readlinkSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CleanupOptions } from './cleanup.js';
import { ownerAlive } from './network.js';
import { removeHostsLines } from './sge-hostname.js';
import { requireSgeInfrastructure } from './sge-infrastructure.js';
import { pidsWithGroupIn } from './sge-processes.js';
import { CELL_PREFIX, type SgeOwnerRecord } from './sge-start.js';
import { allPids, isGone, killUntilEmpty, processExe } from './system.js';

/** Where SGE test beds keep their files. */
const DIR_PREFIX = 'hostgrid-sge-';

/** Options of {@link cleanupSgeLeftovers}: the same as the SSH and SLURM cleanups'. */
export type SgeCleanupOptions = CleanupOptions;

/** What {@link cleanupSgeLeftovers} removed, and what it kept because its owner runs. */
export interface SgeCleanupReport {
  readonly cells: readonly string[];
  readonly pids: readonly number[];
  readonly dirs: readonly string[];
  readonly hostsLines: readonly string[];
  /** Cells of live test beds, left alone (pass `force` to remove them too). */
  readonly kept: readonly string[];
}

function readRecord(dir: string): SgeOwnerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as SgeOwnerRecord;
  } catch {
    return undefined;
  }
}

/** The `SGE_CELL` a process runs with, from its environment. */
function cellOf(pid: number): string | undefined {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .find((line) => line.startsWith('SGE_CELL='));
    return entry?.slice('SGE_CELL='.length);
  } catch {
    return undefined;
  }
}

/**
 * Removes the leftovers of SGE test beds whose owner is gone (all of them with `force`):
 * every `sge_qmaster`, `sge_execd` and `sge_shepherd` serving a `hostgrid<i>` cell that is
 * not live, the processes carrying the dead cell's group ids, the `$SGE_ROOT/hostgrid<i>`
 * links, the `/etc/hosts` lines tagged by dead owners, and the `/tmp/hostgrid-sge-*` dirs
 * of dead test beds (those with an `owner.json`).
 * What `hostgrid-testbed sge cleanup` runs.
 */
export async function cleanupSgeLeftovers(options: SgeCleanupOptions = {}): Promise<SgeCleanupReport> {
  const infra = requireSgeInfrastructure();
  const report = { cells: [] as string[], pids: [] as number[], dirs: [] as string[], hostsLines: [] as string[], kept: [] as string[] };
  const isLive = (record: SgeOwnerRecord | undefined): boolean => !options.force && record !== undefined && ownerAlive(record);

  const liveCells = new Set<string>();
  const deadRanges: Array<[number, number]> = [];
  for (const entry of readdirSync(infra.root)) {
    if (!new RegExp(`^${CELL_PREFIX}\\d+$`).test(entry)) continue;
    const link = join(infra.root, entry);
    let target: string;
    try {
      target = readlinkSync(link);
    } catch {
      continue;
    }
    const record = readRecord(dirname(target));
    if (isLive(record)) {
      liveCells.add(entry);
      report.kept.push(entry);
      continue;
    }
    if (record?.gidRange) deadRanges.push(record.gidRange);
    unlinkSync(link);
    report.cells.push(entry);
  }

  // Daemons and shepherds of cells that are not live (their cell name is in their environment).
  const daemons = new Set([infra.qmaster, infra.execd, join(infra.bin, 'sge_shepherd'), '/usr/sbin/sge_qmaster', '/usr/sbin/sge_execd', '/usr/sbin/sge_shepherd']);
  const strays = (): number[] =>
    allPids().filter((pid) => {
      if (isGone(pid)) return false;
      const exe = processExe(pid);
      const cell = exe !== undefined && daemons.has(exe) ? cellOf(pid) : undefined;
      return cell !== undefined && new RegExp(`^${CELL_PREFIX}\\d+$`).test(cell) && !liveCells.has(cell);
    });
  report.pids.push(...(await killUntilEmpty(strays, 'stray SGE daemons of dead test beds')));
  for (const range of deadRanges) report.pids.push(...(await killUntilEmpty(() => pidsWithGroupIn(range), `job processes of group ids ${range[0]}-${range[1]}`)));

  report.hostsLines.push(...removeHostsLines((owner) => options.force === true || !ownerAlive(owner)));

  const root = tmpdir();
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = join(root, entry);
    // Only a test bed's dir (it has its owner record from the start); other hostgrid-sge-*
    // folders, a test's scratch say, are not ours to remove.
    const record = statSync(dir).isDirectory() ? readRecord(dir) : undefined;
    if (record === undefined || (options.force !== true && ownerAlive(record))) continue;
    rmSync(dir, { recursive: true, force: true });
    report.dirs.push(dir);
  }
  return report;
}
