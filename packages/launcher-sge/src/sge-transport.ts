import { spawn as spawnProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { type Channel, type ChannelHandlers, checkDurationMs, type HostFiles, HostgridError, LiveWorkers, localHostFiles, type ResolvedHost, type SpawnRequest, type Transport, workerCommand } from '@hostgrid/core';
import { SgeJobError } from './errors.js';
import { QrshTask } from './qrsh-task.js';
import { sgeHosts } from './sge-hosts.js';
import { qrshCommandLine } from './worker-command.js';

/** Options of {@link sgeTransport}. */
export interface SgeTransportOptions {
  /**
   * The environment `qrsh` runs in: the job's (`JOB_ID`, `SGE_ROOT`, `SGE_CELL`, ports,
   * `PE_HOSTFILE`), which `qrsh -inherit` needs to find the job. @defaultValue `process.env`
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The `qrsh` executable. @defaultValue `"qrsh"` (found on `PATH`) */
  readonly qrsh?: string;
  /**
   * Where the grid makes hosts' temp folders (`hostgrid-XXXXXX`) when neither the host's
   * `tempPath` nor the grid's `sharedTempPath` names one: a folder every host sees at the
   * same path (the cluster's shared file system). @defaultValue this process's working
   * directory (a job's, which SGE sets to `$HOME` or, with `-cwd`, the submit folder)
   */
  readonly tempDir?: string;
  /**
   * How long a killed worker on another host may go on (stuck in a long synchronous call)
   * before its channel is reported closed without it (see `kill` in the README).
   * @defaultValue 5000
   */
  readonly detachAfterMs?: number;
  /**
   * Kill a worker that runs on this machine (the same kernel boot id) by its pid, at once.
   * Set it to `false` when this process does not share the execd's pid namespace (a
   * container on the same kernel): every worker is then treated as running on another host.
   * @defaultValue true
   */
  readonly killLocally?: boolean;
  /** The largest frame body on a worker's channel, both ways: the grid refuses to send a larger call or state, a worker a larger result (each with a `SerializationError`, the worker serves on); a larger frame received anyway kills the worker. @defaultValue `DEFAULT_MAX_FRAME_BYTES` (256 MiB) */
  readonly maxFrameBytes?: number;
}

/**
 * A transport for a grid inside an SGE parallel job: each slot's worker is a task of the
 * job, started as `qrsh -inherit <host> exec /bin/sh -c '<script>'`, the script changing
 * into the temp path, running `initCmd` and starting `node <workerEntry> --stdio` (under
 * `nice`, with the host's `env`); frames go over qrsh's stdin and stdout, the worker's
 * stderr is output. The hosts are the job's (see {@link sgeHosts}); they must see this
 * machine's files at the same paths (a cluster's shared file system), so staging writes
 * here, and temp folders are made in `tempDir`, or give the grid a `sharedTempPath`.
 * A host's `node` is the Node.js executable there (default: this process's own, which a
 * shared file system gives every host).
 *
 * The controller must run inside the job (its script, or a process it starts): SGE starts
 * `qrsh -inherit` tasks only for the job named by `JOB_ID`, on hosts it was granted, at
 * most as many per host as slots granted there, in a parallel environment with
 * `control_slaves TRUE`.
 *
 * Failure semantics: `spawn` rejects, naming the host and slot and quoting qrsh, when the
 * task cannot start (`SgeJobError` when SGE refuses it: not a granted host, no free slot,
 * not inside the job), leaving nothing running. A running worker's channel is reported
 * closed when the worker exits or dies (its host-side shell survives it, so SGE never
 * counts a dead worker as a failed task, which would end the whole job), when it is
 * killed, or when qrsh loses the host. See `QrshTask.kill` for how a worker is killed.
 *
 * @throws RangeError for a negative (or NaN) `detachAfterMs`
 */
export function sgeTransport(options: SgeTransportOptions = {}): Transport {
  return new SgeTransport(options);
}

class SgeTransport implements Transport {
  readonly name = 'sge';
  readonly #options: SgeTransportOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #live = new LiveWorkers<QrshTask>();
  #granted: Set<string> | undefined;
  #closed = false;

  constructor(options: SgeTransportOptions) {
    checkDurationMs(options.detachAfterMs, 'sgeTransport: "detachAfterMs"');
    this.#options = options;
    this.#env = { ...(options.env ?? process.env) };
  }

  async spawn(request: SpawnRequest, handlers: ChannelHandlers): Promise<Channel> {
    const { host, slot, signal } = request;
    const what = `qrsh worker for host "${host.name}" slot ${slot}`;
    if (this.#closed) throw new HostgridError({ host: host.name, slot, message: `${what} could not start: the SGE transport is closed` });
    signal.throwIfAborted();
    this.#checkJob(host.name, slot, what);
    const qrsh = this.#options.qrsh ?? 'qrsh';
    const command = qrshCommandLine(workerCommand(request, { defaultNode: process.execPath }));
    // Its own process group: a Ctrl-C in the controller's terminal must not reach qrsh,
    // which would end the task as failed, and SGE then the job; the controller shuts the
    // grid down in order instead.
    const child = spawnProcess(qrsh, ['-inherit', host.name, command], { stdio: ['pipe', 'pipe', 'pipe'], env: this.#env, detached: true });
    const task = new QrshTask(child, handlers, {
      what,
      host: host.name,
      slot,
      workerEntry: request.workerEntry,
      detachAfterMs: this.#options.detachAfterMs ?? 5_000,
      killLocally: this.#options.killLocally ?? true,
      maxFrameBytes: this.#options.maxFrameBytes,
    });
    this.#live.add(task);
    return task.launched.open(signal, (error) => new SgeJobError({ host: host.name, slot, message: `${what} could not start: cannot run "${qrsh}" (is SGE's client installed and on PATH?)`, cause: error }));
  }

  /** Refuses, with the granted hosts named, what `qrsh -inherit` would refuse in fewer words. */
  #checkJob(name: string, slot: number, what: string): void {
    const jobId = this.#env['JOB_ID'];
    if (jobId === undefined || jobId === '') {
      throw new SgeJobError({ host: name, slot, message: `${what} could not start: not inside an SGE job (JOB_ID is not set); qrsh -inherit starts tasks of the job this process runs in` });
    }
    if (this.#granted === undefined && this.#env['PE_HOSTFILE'] !== undefined) {
      try {
        this.#granted = new Set(sgeHosts(this.#env).map((host) => host.name));
      } catch {
        return; // qrsh will say what it thinks
      }
    }
    if (this.#granted !== undefined && !this.#granted.has(name)) {
      throw new SgeJobError({ host: name, slot, message: `${what} could not start: job ${jobId} was not granted host "${name}" (PE_HOSTFILE lists ${[...this.#granted].join(', ')}); take the hosts from sgeHosts()` });
    }
  }

  /**
   * The host's files are this machine's (a shared file system): plain `node:fs`, with
   * `sharesControllerFileSystem: true`; new temp folders go in `tempDir`.
   */
  files(host: ResolvedHost): HostFiles {
    const files = localHostFiles(host.name);
    const tempDir = this.#options.tempDir ?? process.cwd();
    return {
      ...files,
      sharesControllerFileSystem: true,
      async makeTempDir(prefix: string): Promise<string> {
        try {
          return await mkdtemp(join(tempDir, prefix));
        } catch (error) {
          throw new Error(`[hostgrid] cannot make a temp folder in "${tempDir}" on host "${host.name}": ${(error as Error).message}`, { cause: error });
        }
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#live.killAll();
  }
}
