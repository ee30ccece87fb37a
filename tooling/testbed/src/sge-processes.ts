/**
 * The SGE test bed's processes: its two daemons (started in the foreground with
 * `SGE_ND`, so the pid we hold is the daemon's), and every process of its jobs, found by
 * ancestry (below the execd) and by the supplementary group id SGE tags job processes
 * with (`gid_range`, one range per test bed), so that a job process that left the execd's
 * tree is still found.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { allPids, isGone, killHard } from './system.js';

/** A daemon this test bed started, known by pid. */
export class SgeDaemon {
  readonly name: string;
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #running = true;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    this.pid = child.pid!;
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.#running = false;
        resolve();
      }),
    );
  }

  /**
   * Starts `path` in the foreground (`SGE_ND=true`) in a process group of its own (a
   * Ctrl-C meant for the test runner must not reach it before teardown), output to `log`.
   */
  static start(name: string, path: string, env: Readonly<Record<string, string>>, cwd: string, log: string): Promise<SgeDaemon> {
    const fd = openSync(log, 'a');
    try {
      const child = spawn(path, [], { env: { ...env, SGE_ND: 'true' }, cwd, stdio: ['ignore', fd, fd], detached: true });
      return new Promise((resolve, reject) => {
        child.once('error', (error) => reject(new Error(`cannot start ${name} (${path}): ${error.message}`, { cause: error })));
        child.once('spawn', () => {
          // The test bed's own teardown (or exit hook) stops it; it must not keep node alive.
          child.unref();
          resolve(new SgeDaemon(name, child));
        });
      });
    } finally {
      closeSync(fd);
    }
  }

  get running(): boolean {
    return this.#running && !isGone(this.pid);
  }

  /** SIGKILL: the test bed's cell is thrown away, so nothing needs a clean shutdown (the qmaster takes ~10 s for one). */
  kill(): void {
    if (this.#running) killHard(this.pid);
  }

  /** Resolves `true` once the daemon has exited, `false` after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    if (!this.#running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = await Promise.race([this.#exited.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return done;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    return ppid === undefined ? undefined : Number(ppid);
  } catch {
    return undefined;
  }
}

function groupsOf(pid: number): number[] {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = /^Groups:\s*(.*)$/m.exec(status)?.[1] ?? '';
    return line.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every live process below `root` (not `root` itself). */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (isGone(pid)) continue;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Every live process carrying a supplementary group id in `[first, last]` (SGE's mark on job processes). */
export function pidsWithGroupIn(range: readonly [number, number]): number[] {
  return allPids().filter((pid) => !isGone(pid) && groupsOf(pid).some((gid) => gid >= range[0] && gid <= range[1]));
}

/**
 * The processes of a test bed's jobs: shepherds, job scripts, `qrsh -inherit` tasks and
 * whatever they started, below the execd or marked with the test bed's group ids.
 */
export function jobProcesses(execdPid: number | undefined, gidRange: readonly [number, number]): number[] {
  const pids = new Set(pidsWithGroupIn(gidRange));
  if (execdPid !== undefined && !isGone(execdPid)) for (const pid of descendantsOf(execdPid)) pids.add(pid);
  pids.delete(process.pid);
  return [...pids];
}
