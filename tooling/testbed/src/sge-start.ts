/**
 * A single-node Sun Grid Engine on this machine, for testing Hostgrid's SGE launcher
 * against the real thing: a private cell, its qmaster and execd, torn down by pid.
 */
import { rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestbedError } from './errors.js';
import { ExitHookSet, startOrRemove, TeardownErrors } from './lifecycle.js';
import { configureCell, makeCell, PE, QUEUE, type CellPlan } from './sge-cell.js';
import { runSge, runSgeOk } from './sge-commands.js';
import { prepareHostIdentity, removeHostsLines } from './sge-hostname.js';
import { requireSgeInfrastructure, type SgeInfrastructure } from './sge-infrastructure.js';
import { parseQacct, parseQstat } from './sge-output.js';
import { descendantsOf, jobProcesses, pidsWithGroupIn, SgeDaemon } from './sge-processes.js';
import type { SgeJobResult, SgeJobState, SgeTestbed, StartSgeOptions } from './sge-testbed.js';
import { type CommandResult, freePort, isGone, killUntilEmpty, killUntilEmptySync, processStartTime } from './system.js';

/** Cells are `hostgrid<i>`, claimed by making the symlink `$SGE_ROOT/hostgrid<i>`. */
export const CELL_PREFIX = 'hostgrid';
const MAX_BEDS = 100;
/** Each test bed's job processes carry a group id from its own range of 100. */
const GID_BASE = 40_000;

/** What a test bed records in `<dir>/owner.json`, for `cleanupSgeLeftovers`. */
export interface SgeOwnerRecord {
  pid: number;
  start: number;
  name: string;
  dir: string;
  cell: string | undefined;
  gidRange: [number, number] | undefined;
  hostsLine: string | undefined;
  qmasterPid: number | undefined;
  execdPid: number | undefined;
}

/** Test beds not yet stopped, stopped synchronously if the process exits first. */
const live = new ExitHookSet<SgeBed>((bed) => bed.stopSync());

/** Pids with their start times: together they name a process for good. */
function identify(pids: readonly number[]): Map<number, number | undefined> {
  return new Map(pids.map((pid) => [pid, processStartTime(pid)]));
}

/** Those of `seen` that still run as the same process. */
function stillRunning(seen: ReadonlyMap<number, number | undefined>): number[] {
  return [...seen].filter(([pid, start]) => !isGone(pid) && processStartTime(pid) === start).map(([pid]) => pid);
}

class SgeBed implements SgeTestbed {
  env: Record<string, string> = {};
  hostname = '';
  cell = '';
  dir = '';
  slots: number;
  readonly queue = QUEUE;
  readonly pe = PE;
  readonly #infra: SgeInfrastructure;
  readonly #record: SgeOwnerRecord;
  #link: string | undefined;
  #qmaster: SgeDaemon | undefined;
  #execd: SgeDaemon | undefined;
  #stopping: Promise<void> | undefined;

  constructor(infra: SgeInfrastructure, name: string, slots: number) {
    this.#infra = infra;
    this.slots = slots;
    this.#record = { pid: process.pid, start: processStartTime('self') ?? 0, name, dir: '', cell: undefined, gidRange: undefined, hostsLine: undefined, qmasterPid: undefined, execdPid: undefined };
  }

  get qmasterPid(): number {
    return this.#qmaster?.pid ?? 0;
  }

  get execdPid(): number {
    return this.#execd?.pid ?? 0;
  }

  #save(): void {
    if (this.dir) writeFileSync(join(this.dir, 'owner.json'), `${JSON.stringify(this.#record)}\n`);
  }

  async start(readyTimeoutMs: number): Promise<void> {
    const infra = this.#infra;
    live.add(this);
    this.dir = await mkdtemp(join(tmpdir(), `hostgrid-sge-${this.#record.name}-`));
    this.#record.dir = this.dir;
    this.#save();
    const index = this.#claimCell();
    const gidRange: [number, number] = [GID_BASE + 100 * index, GID_BASE + 100 * index + 99];
    this.#record.gidRange = gidRange;
    this.#save();
    const identity = await prepareHostIdentity(infra.getent, this.#record);
    this.#record.hostsLine = identity.addedLine;
    this.#save();
    this.hostname = identity.hostname;
    const [qmasterPort, execdPort] = [await freePort(), await freePort()];
    const cellEnv = { SGE_ROOT: infra.root, SGE_CELL: this.cell, SGE_QMASTER_PORT: String(qmasterPort), SGE_EXECD_PORT: String(execdPort) };
    this.env = { ...cellEnv, PATH: `${infra.bin}:${process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'}` };
    const plan: CellPlan = { cell: this.cell, dir: this.dir, hostname: this.hostname, aliases: identity.aliases, slots: this.slots, gidRange };
    // The daemons get a small, clean environment: jobs inherit the execd's, as on a cluster.
    const daemonEnv = { ...cellEnv, PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
    await makeCell(infra, plan, daemonEnv);
    this.#qmaster = await SgeDaemon.start('sge_qmaster', infra.qmaster, daemonEnv, this.dir, join(this.dir, 'qmaster.log'));
    this.#record.qmasterPid = this.#qmaster.pid;
    this.#save();
    await this.#waitFor('sge_qmaster to answer', readyTimeoutMs, this.#qmaster, async () => (await this.run('qconf', ['-sh'])).code === 0);
    await configureCell(infra, plan, this.env);
    this.#execd = await SgeDaemon.start('sge_execd', infra.execd, daemonEnv, this.dir, join(this.dir, 'execd.log'));
    this.#record.execdPid = this.#execd.pid;
    this.#save();
    await this.#waitFor(`sge_execd on ${this.hostname} to report to the qmaster`, readyTimeoutMs, this.#execd, () => this.#queueUp());
  }

  /** Claims the lowest free cell name by making its symlink (which fails if it exists). */
  #claimCell(): number {
    for (let index = 0; index < MAX_BEDS; index += 1) {
      const link = join(this.#infra.root, `${CELL_PREFIX}${index}`);
      try {
        symlinkSync(join(this.dir, 'cell'), link);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      this.#link = link;
      this.cell = `${CELL_PREFIX}${index}`;
      this.#record.cell = this.cell;
      return index;
    }
    throw new TestbedError(`[testbed] no free SGE cell name: ${CELL_PREFIX}0 to ${CELL_PREFIX}${MAX_BEDS - 1} all exist under ${this.#infra.root} (\`hostgrid-testbed sge cleanup\` removes those of dead test beds)`);
  }

  /** Whether the queue instance on this host is up: listed without the `u` (unknown) state. */
  async #queueUp(): Promise<boolean> {
    const result = await this.run('qstat', ['-f', '-q', `${QUEUE}@${this.hostname}`]);
    if (result.code !== 0) return false;
    const line = result.stdout.split('\n').find((text) => text.startsWith(`${QUEUE}@`));
    if (line === undefined) return false;
    const states = line.trim().split(/\s+/)[5] ?? '';
    return !states.includes('u');
  }

  async #waitFor(what: string, timeoutMs: number, daemon: SgeDaemon, ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!daemon.running) throw new TestbedError(`[testbed] ${daemon.name} (pid ${daemon.pid}) exited while waiting for ${what}; see ${join(this.dir, `${daemon.name.slice(4)}.log`)} and the spool's messages file`);
      if (await ready()) return;
      if (Date.now() > deadline) throw new TestbedError(`[testbed] timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(50);
    }
  }

  run(command: string, args: readonly string[]): Promise<CommandResult> {
    return runSge(join(this.#infra.bin, command), args, { env: { ...process.env, ...this.env } as Record<string, string> });
  }

  async qsub(args: readonly string[], options: { readonly cwd?: string } = {}): Promise<number> {
    const stdout = await runSgeOk('submitting a job', join(this.#infra.bin, 'qsub'), ['-terse', ...args], {
      env: { ...process.env, ...this.env } as Record<string, string>,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const id = Number.parseInt(stdout.trim(), 10);
    if (!Number.isInteger(id)) throw new TestbedError(`[testbed] qsub printed no job id: ${JSON.stringify(stdout)}`);
    return id;
  }

  async waitForJob(id: number, options: { readonly timeoutMs?: number } = {}): Promise<SgeJobResult> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.run('qstat', ['-j', String(id)]);
      if (status.code !== 0) break;
      if (Date.now() > deadline) {
        const info = status.stdout.split('\n').filter((line) => /^(job_state|scheduling info|usage|error reason)/.test(line.trim()) || line.startsWith(' ')).join('\n');
        throw new TestbedError(`[testbed] SGE job ${id} still listed after ${timeoutMs} ms:\n${info || status.stdout.slice(-2000)}`);
      }
      await sleep(100);
    }
    // Accounting is written as the job leaves; give the file a moment if it lags.
    for (let attempt = 0; ; attempt += 1) {
      const accounting = await this.run('qacct', ['-j', String(id)]);
      const result = accounting.code === 0 ? parseQacct(accounting.stdout, id) : undefined;
      if (result !== undefined) return result;
      if (attempt >= 50) throw new TestbedError(`[testbed] no accounting record for SGE job ${id}: ${accounting.stderr.trim() || accounting.stdout.trim()}`);
      await sleep(100);
    }
  }

  async jobs(): Promise<SgeJobState[]> {
    const result = await this.run('qstat', ['-u', '*']);
    if (result.code !== 0) throw new TestbedError(`[testbed] qstat failed: ${result.stderr.trim()}`);
    return parseQstat(result.stdout);
  }

  jobProcesses(): number[] {
    return this.#record.gidRange === undefined ? [] : jobProcesses(this.#execd?.running === true ? this.#execd.pid : undefined, this.#record.gidRange);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #stop(): Promise<void> {
    const errors = new TeardownErrors();
    const attempt = (step: () => unknown): Promise<void> => errors.attempt(step);
    // Job processes are found below the execd while it lives, by group id after; a pid
    // seen before is killed only while it names the same process (pids are reused quickly).
    const seen = identify(this.jobProcesses());
    for (const daemon of [this.#execd, this.#qmaster]) {
      if (daemon === undefined) continue;
      daemon.kill();
      if (!(await daemon.waitExit(5_000))) errors.add(new TestbedError(`[testbed] ${daemon.name} pid ${daemon.pid} survived SIGKILL`));
    }
    const range = this.#record.gidRange;
    await attempt(() => killUntilEmpty(() => [...new Set([...stillRunning(seen), ...(range ? pidsWithGroupIn(range) : [])])], `SGE cell ${this.cell} (job processes)`));
    await attempt(() => {
      if (this.#record.hostsLine !== undefined) removeHostsLines(this.#record.hostsLine);
    });
    await attempt(async () => {
      if (this.#link !== undefined && (await readlink(this.#link).catch(() => undefined)) === join(this.dir, 'cell')) await rm(this.#link, { force: true });
    });
    if (this.dir) await attempt(() => rm(this.dir, { recursive: true, force: true }));
    live.delete(this);
    errors.throwIfAny(`stopping SGE cell ${this.cell || this.dir}`, 'hostgrid-testbed sge cleanup');
  }

  /** The exit hook's stop: synchronous, best effort, never throws. */
  stopSync(): void {
    const range = this.#record.gidRange;
    const execd = this.#execd?.running === true ? this.#execd.pid : undefined;
    const below = identify(execd === undefined ? [] : descendantsOf(execd));
    this.#execd?.kill();
    this.#qmaster?.kill();
    killUntilEmptySync(() => [...stillRunning(below), ...(range ? pidsWithGroupIn(range) : [])]);
    try {
      if (this.#record.hostsLine !== undefined) removeHostsLines(this.#record.hostsLine);
      if (this.#link !== undefined) unlinkSync(this.#link);
    } catch {
      // Best effort at exit.
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Stands up a single-node Sun Grid Engine 8.1.9 on this machine: a private cell
 * (`hostgrid<i>` under `/var/lib/gridengine`, its files in `/tmp/hostgrid-sge-…`), its
 * `sge_qmaster` and `sge_execd`, the queue `all.q` with `slots` slots on this host and
 * the parallel environment `smp` that allows `qrsh -inherit`. Takes ~1 s once installed.
 * The packages' own `default` cell is never touched; two test beds at once get two cells,
 * with their own ports. If anything fails half way, what was made is removed first.
 *
 * @example
 * ```ts
 * await using sge = await startSge();
 * const id = await sge.qsub(['-pe', 'smp', '4', '-b', 'y', '-o', out, '-j', 'y', process.execPath, script]);
 * const { exitStatus } = await sge.waitForJob(id);
 * ```
 * @throws MissingInfrastructureError when the gridengine packages or root are missing
 * @throws TestbedStartError when something failed half way (everything made was removed)
 */
export async function startSge(options: StartSgeOptions = {}): Promise<SgeTestbed> {
  const infra = requireSgeInfrastructure();
  const slots = options.slots ?? 8;
  if (!Number.isInteger(slots) || slots < 1 || slots > 999) throw new TestbedError(`[testbed] slots must be an integer from 1 to 999, not ${slots}`);
  const name = options.name ?? 'sge';
  if (!/^[\w-]{1,40}$/.test(name)) throw new TestbedError(`[testbed] name must be 1 to 40 letters, digits, "-" or "_", not ${JSON.stringify(name)}`);
  const bed = new SgeBed(infra, name, slots);
  return startOrRemove(bed, () => bed.start(options.readyTimeoutMs ?? 30_000), 'SGE', () => ({ bridge: undefined, namespaces: [], dir: bed.dir || undefined }));
}
