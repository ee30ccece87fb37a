import type { CommandResult } from './system.js';

/** Options of `startSge`. */
export interface StartSgeOptions {
  /** Slots of the queue `all.q` on this machine (the most a job may ask for). @defaultValue 8 */
  readonly slots?: number;
  /** Labels the test bed's temp dir (`/tmp/hostgrid-sge-<name>-XXXXXX`). @defaultValue `"sge"` */
  readonly name?: string;
  /** How long each daemon may take to answer, in ms. @defaultValue 30000 */
  readonly readyTimeoutMs?: number;
}

/** How a job ended, from SGE's accounting (`qacct -j`). */
export interface SgeJobResult {
  readonly id: number;
  /** The job script's exit status (128 + n when it died of signal n). */
  readonly exitStatus: number;
  /** SGE's `failed` field: `0` when SGE saw nothing wrong, else a code and a reason (`"100 : assumedly after job"`). */
  readonly failed: string;
}

/** One line of `qstat`: a job the cell still knows. */
export interface SgeJobState {
  readonly id: number;
  readonly name: string;
  /** `qw` (waiting), `r` (running), `dr` (being deleted), `Eqw` (error), … */
  readonly state: string;
  readonly slots: number;
}

/**
 * A single-node Sun Grid Engine cell of its own, running on this machine: an
 * `sge_qmaster` and an `sge_execd`, the queue `all.q` and the parallel environment `smp`.
 * `await using` (or `stop()`) removes it to the last process and file, even when the test
 * failed; an exit hook does it if the process exits first.
 */
export interface SgeTestbed extends AsyncDisposable {
  /**
   * What a client of this cell needs in its environment: `SGE_ROOT`, `SGE_CELL`,
   * `SGE_QMASTER_PORT`, `SGE_EXECD_PORT`, and `PATH` with SGE's commands first.
   */
  readonly env: Readonly<Record<string, string>>;
  /** This machine's name as SGE knows it (the queue's host, the name in `PE_HOSTFILE`). */
  readonly hostname: string;
  /** The cell's name (`hostgrid<i>`), a folder of its own under `SGE_ROOT`. */
  readonly cell: string;
  /** The test bed's temp dir: the cell, the spools, daemon logs, per-job temp dirs. */
  readonly dir: string;
  /** Slots of `all.q`. */
  readonly slots: number;
  /** The queue and the parallel environment (`qsub -pe smp N`). */
  readonly queue: 'all.q';
  readonly pe: 'smp';
  /** The daemons' pids. */
  readonly qmasterPid: number;
  readonly execdPid: number;
  /**
   * Submits a job: `qsub -terse <args>` with {@link env} over this process's environment.
   * Resolves with the job id.
   *
   * @throws TestbedError quoting qsub when it refuses the job
   */
  qsub(args: readonly string[], options?: { readonly cwd?: string }): Promise<number>;
  /**
   * Waits until the cell no longer lists the job (polling `qstat -j`), then reads how it
   * ended from the accounting file.
   *
   * @throws TestbedError after `timeoutMs` (default 120 000), quoting `qstat -j` (its
   *   scheduling info says why a job still waits)
   */
  waitForJob(id: number, options?: { readonly timeoutMs?: number }): Promise<SgeJobResult>;
  /** The jobs the cell still lists (`qstat -u '*'`). */
  jobs(): Promise<SgeJobState[]>;
  /** Pids of every process of this cell's jobs still running: shepherds, job scripts, `qrsh -inherit` tasks and their children. */
  jobProcesses(): number[];
  /** Runs one of SGE's commands (`qconf`, `qstat`, …, by name) with {@link env}. */
  run(command: string, args: readonly string[]): Promise<CommandResult>;
  /** Stops the daemons and every job process by pid and removes the cell, its files and any `/etc/hosts` line it added. Idempotent. */
  stop(): Promise<void>;
}
