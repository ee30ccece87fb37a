import { spawn as spawnProcess } from 'node:child_process';
import { type Channel, type ChannelHandlers, type HostFiles, HostgridError, LiveWorkers, localHostFiles, type ResolvedHost, type SpawnRequest, type Transport, workerCommand } from '@hostgrid/core';
import { parseHostlist } from './hostlist.js';
import { SlurmAllocationError } from './slurm-hosts.js';
import { srunArgs } from './srun-command.js';
import { SrunStep } from './srun-step.js';

/** Options of {@link slurmTransport}. */
export interface SlurmTransportOptions {
  /** The allocation to start workers in. @defaultValue `SLURM_JOB_ID` of `env` */
  readonly jobId?: string;
  /**
   * The environment `srun` runs in (and, as `srun` exports it, the workers start from):
   * `SLURM_CONF` and the like. @defaultValue `process.env`
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The `srun` executable. @defaultValue `"srun"` (found on `PATH`) */
  readonly srun?: string;
  /** The `scancel` executable, used to kill a worker's step. @defaultValue `"scancel"` */
  readonly scancel?: string;
  /** More `srun` arguments for every worker, e.g. `['--mem=4G']` or `['--cpus-per-task=2']`. @defaultValue `[]` */
  readonly srunArgs?: readonly string[];
  /** The largest frame body on a worker's channel, both ways: the grid refuses to send a larger call or state, a worker a larger result (each with a `SerializationError`, the worker serves on); a larger frame received anyway kills the worker. @defaultValue `DEFAULT_MAX_FRAME_BYTES` (256 MiB) */
  readonly maxFrameBytes?: number;
}

/**
 * A transport for a grid inside a SLURM allocation: each slot's worker is a job step of
 * its own, `srun --overlap --unbuffered --nodes=1 --ntasks=1 --nodelist=<host>
 * --jobid=<job> /bin/sh -c 'cd <tempPath> && … exec node <workerEntry> --stdio'`, and its
 * frames go over `srun`'s stdin and stdout. The hosts are the allocation's nodes (see
 * {@link slurmHosts}); they must share this machine's files at the same paths (a cluster's
 * shared file system), so staging writes here: give the grid a `sharedTempPath` on that
 * file system (the default temp folder, `/tmp`, is usually local to each node).
 *
 * A host's `node` is the Node.js executable on the nodes (default: this process's own,
 * which a shared file system gives every node); `niceness` runs it under `nice -n`;
 * `initCmd` runs in the node's shell first; `env` is set for the worker alone.
 *
 * Failure semantics: `spawn` rejects, naming the host and slot and quoting `srun`, when the
 * step cannot start (no allocation, a node not in it, a bad `node` path), leaving nothing
 * running. A running worker's channel is reported closed when the worker exits, when it is
 * killed (its step is cancelled with `scancel --signal=KILL`), or when its node is lost:
 * slurmctld sets a silent node DOWN after `SlurmdTimeout` plus its ping period, and
 * `srun` then ends ("Node failure"). The grid's heartbeat notices an idle worker on a
 * silent node sooner. Allocate with `--no-kill` for the other nodes to carry on.
 */
export function slurmTransport(options: SlurmTransportOptions = {}): Transport {
  return new SlurmTransport(options);
}

class SlurmTransport implements Transport {
  readonly name = 'slurm';
  readonly #options: SlurmTransportOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #live = new LiveWorkers<SrunStep>();
  #closed = false;

  constructor(options: SlurmTransportOptions) {
    this.#options = options;
    this.#env = { ...(options.env ?? process.env) };
  }

  async spawn(request: SpawnRequest, handlers: ChannelHandlers): Promise<Channel> {
    const { host, slot, signal } = request;
    const what = `srun worker for host "${host.name}" slot ${slot}`;
    if (this.#closed) throw new HostgridError({ host: host.name, slot, message: `${what} could not start: the SLURM transport is closed` });
    signal.throwIfAborted();
    const jobId = this.#options.jobId ?? this.#env['SLURM_JOB_ID'];
    if (jobId === undefined || jobId === '') {
      throw new SlurmAllocationError({
        host: host.name,
        slot,
        message: `${what} could not start: no allocation (SLURM_JOB_ID is not set and no jobId was given); run inside salloc or sbatch`,
      });
    }
    this.#checkNode(host.name, slot, jobId, what);
    const srun = this.#options.srun ?? 'srun';
    const args = srunArgs({
      ...workerCommand(request, { defaultNode: process.execPath }),
      jobId,
      nodeName: host.name,
      stepName: `hostgrid:${host.name}/${slot}`,
      srunArgs: this.#options.srunArgs ?? [],
    });
    // Its own process group: a Ctrl-C in the controller's terminal reaches the controller
    // alone (srun would take it as "cancel the step"), which then shuts the grid down in order.
    const child = spawnProcess(srun, args, { stdio: ['pipe', 'pipe', 'pipe'], env: this.#env, detached: true });
    const step = new SrunStep(child, handlers, {
      what,
      host: host.name,
      slot,
      jobId,
      scancel: this.#options.scancel ?? 'scancel',
      env: this.#env,
      maxFrameBytes: this.#options.maxFrameBytes,
    });
    this.#live.add(step);
    return step.launched.open(signal, (error) => new HostgridError({ host: host.name, slot, message: `${what} could not start: cannot run "${srun}" (is SLURM's client installed and on PATH?)`, cause: error }));
  }

  /**
   * A host that is not a node of the allocation in `env` is refused here, with the node
   * list, rather than by srun ("Requested node configuration is not available").
   */
  #checkNode(name: string, slot: number, jobId: string, what: string): void {
    const list = this.#env['SLURM_JOB_NODELIST'] ?? this.#env['SLURM_NODELIST'];
    if (list === undefined || this.#env['SLURM_JOB_ID'] !== jobId) return;
    let nodes: string[];
    try {
      nodes = parseHostlist(list);
    } catch {
      return; // srun will say what it thinks
    }
    if (!nodes.includes(name)) {
      throw new SlurmAllocationError({ host: name, slot, message: `${what} could not start: "${name}" is not a node of allocation ${jobId} (SLURM_JOB_NODELIST=${list}); take the hosts from slurmHosts()` });
    }
  }

  /**
   * The node's files are this machine's (a shared file system): plain `node:fs`, with
   * `sharesControllerFileSystem: true`.
   */
  files(host: ResolvedHost): HostFiles {
    return localHostFiles(host.name);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#live.killAll();
  }
}
