/**
 * The shape of a SLURM test bed, as tests see it.
 */
import type { CommandResult } from './system.js';

/** One node of a SLURM test bed: a network namespace with its own address, hostname and slurmd. */
export interface SlurmNode {
  /** `h1`, `h2`, …: its SLURM `NodeName` and the hostname its processes see. */
  readonly name: string;
  /** Its own address, `10.200.<index>.<10+k>` (`NodeAddr`). */
  readonly address: string;
  /** Its network namespace, `hg<index>h<k>`. */
  readonly namespace: string;
  /** The root-namespace end of its veth pair, `hg<index>v<k>`: down cuts the node off. */
  readonly veth: string;
  /** The CPUs it claims (`CPUs=`, more than this machine has: steps oversubscribe). */
  readonly cpus: number;
}

/** A node, or its name. */
export type NodeRef = SlurmNode | string;

/** Options of {@link startSlurm}. */
export interface StartSlurmOptions {
  /**
   * How many nodes.
   * @default 3
   */
  readonly nodes?: number;
  /**
   * A label for this test bed: part of its temp dir's name and of its bridge's alias.
   * Letters, digits, `-` and `_`.
   * @default 'slurm'
   */
  readonly name?: string;
  /**
   * CPUs each node claims; allocations and steps count against them.
   * @default 16
   */
  readonly cpusPerNode?: number;
  /**
   * `SlurmdTimeout` in seconds: a node that stops answering is set DOWN (and its steps
   * fail) this long after its last answer, plus the controller's ping period.
   * @default 10
   */
  readonly slurmdTimeoutS?: number;
  /** `slurm.conf` keywords to add or replace, e.g. `{ MessageTimeout: '5' }`. */
  readonly slurmConfig?: Readonly<Record<string, string>>;
  /**
   * How long munged, slurmctld and every slurmd have to be ready (nodes idle).
   * @default 30000
   */
  readonly readyTimeoutMs?: number;
}

/** Options of {@link SlurmTestbed.salloc}. */
export interface SallocOptions {
  /** Nodes to allocate. @default every node */
  readonly nodes?: number;
  /** `--ntasks-per-node`: the slots each node gives. @default 1 */
  readonly tasksPerNode?: number;
  /**
   * `--no-kill`: the allocation outlives the failure of one of its nodes (it shrinks), as
   * a grid that carries on without a lost host needs.
   * @default true
   */
  readonly noKill?: boolean;
  /** More `salloc` arguments, e.g. `['--job-name=x']`. */
  readonly args?: readonly string[];
  /** How long to wait for the allocation to be granted. @default 30000 */
  readonly timeoutMs?: number;
}

/**
 * A granted allocation, held by a `salloc` whose command waits on its stdin: releasing it
 * ends that command, and `salloc` gives the allocation back.
 */
export interface SlurmAllocation extends AsyncDisposable {
  readonly jobId: string;
  /**
   * The environment inside the allocation, as `salloc` sets it (`SLURM_JOB_ID`,
   * `SLURM_JOB_NODELIST`, `SLURM_TASKS_PER_NODE`, …), plus `SLURM_CONF`.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Gives the allocation back (idempotent); resolves once `salloc` has exited. */
  release(): Promise<void>;
}

/** Options of {@link SlurmTestbed.sbatch}. */
export interface SbatchOptions {
  /** `--nodes`. @default every node */
  readonly nodes?: number;
  /** `--ntasks-per-node`. @default 1 */
  readonly tasksPerNode?: number;
  /** `--output`: where the job's stdout and stderr go. @default `<dir>/slurm-%j.out` */
  readonly output?: string;
  /** `--chdir`: the job's working directory. @default this process's */
  readonly chdir?: string;
  /** More environment for `sbatch` (and so, with `--export=ALL`, for the job). */
  readonly env?: Readonly<Record<string, string>>;
  /** More `sbatch` arguments. */
  readonly args?: readonly string[];
}

/** What `scontrol show job` says about one job. */
export interface SlurmJobInfo {
  readonly jobId: string;
  /** `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `NODE_FAIL`, … */
  readonly state: string;
  /** `exit:signal`, e.g. `"0:0"`. */
  readonly exitCode: string;
  /** `h[1-3]`, or `(null)` while pending. */
  readonly nodeList: string;
  /** Every field, as printed. */
  readonly fields: Readonly<Record<string, string>>;
}

/** One running job step, as `squeue --steps` lists it. */
export interface SlurmStep {
  /** `<jobid>.<stepid>`. */
  readonly stepId: string;
  readonly name: string;
  readonly nodeList: string;
}

/** One line of `scontrol listpids` on a node: a process SLURM tracks there. */
export interface SlurmTrackedPid {
  readonly pid: number;
  readonly jobId: string;
  /** The step id, or `batch`/`extern` for those steps. */
  readonly stepId: string;
}

/**
 * A running SLURM cluster on this machine: munged, slurmctld on the bridge address and
 * one slurmd per network-namespace node. Dispose of it (`await using`) to stop exactly
 * what it started. Its methods throw `TestbedError` for an unknown node and once it is
 * torn down.
 */
export interface SlurmTestbed extends AsyncDisposable {
  readonly nodes: readonly SlurmNode[];
  /** The environment SLURM's commands need, for child processes: `{ SLURM_CONF }`. */
  readonly env: Readonly<Record<string, string>>;
  /** The `slurm.conf` path (also `env.SLURM_CONF`). */
  readonly confPath: string;
  /** `ClusterName`, `hg<index>`. */
  readonly clusterName: string;
  /** slurmctld's address (the bridge's, `10.200.<index>.1`) and port. */
  readonly controllerAddress: string;
  readonly controllerPort: number;
  /** The temp dir: config, munge key and socket, state, spool, logs (`log/`). */
  readonly dir: string;
  readonly bridge: string;
  readonly subnet: string;
  /** Pids of the daemons it started. */
  readonly pids: { readonly munged: number; readonly slurmctld: number; readonly slurmd: Readonly<Record<string, number>> };
  /** Allocates nodes (`salloc --no-shell` is not used: a real `salloc` holds it, giving its real environment). */
  salloc(options?: SallocOptions): Promise<SlurmAllocation>;
  /** Submits `command` as a batch job (`sbatch --parsable --no-requeue --wrap`); resolves to its job id. */
  sbatch(command: readonly string[], options?: SbatchOptions): Promise<string>;
  /** `scontrol show job`, or `undefined` once the controller has forgotten the job. */
  job(jobId: string): Promise<SlurmJobInfo | undefined>;
  /** Polls `scontrol show job` until the job has ended (not `sbatch --wait`, which polls every 10 s). */
  waitJob(jobId: string, options?: { readonly timeoutMs?: number }): Promise<SlurmJobInfo>;
  /** Job ids `squeue` lists (pending, running or completing). */
  jobs(): Promise<string[]>;
  /** Job steps `squeue --steps` lists, of one job or all. */
  steps(jobId?: string): Promise<SlurmStep[]>;
  /** `scontrol listpids` on a node: the processes SLURM tracks there. */
  listPids(node: NodeRef): Promise<SlurmTrackedPid[]>;
  /** Every process in the node's network namespace (slurmd included), as `ip netns pids`. */
  pidsIn(node: NodeRef): number[];
  /** The node's state as `sinfo` prints it: `idle`, `mix`, `alloc`, `down*`, … */
  nodeState(node: NodeRef): Promise<string>;
  /** Runs a command inside the node (its network namespace and hostname), with `env` set. */
  exec(node: NodeRef, command: readonly string[], options?: { readonly timeoutMs?: number }): Promise<CommandResult>;
  /** Runs a SLURM client command (`scontrol`, `squeue`, …) here, with `env` set. */
  client(command: readonly string[], options?: { readonly timeoutMs?: number }): Promise<CommandResult>;
  /** Cuts the node off: its veth goes down, silently (no FIN, no RST). */
  cutNode(node: NodeRef): Promise<void>;
  /** Brings its veth up; with `wait` (the default) resolves once SLURM has it back in service. */
  restoreNode(node: NodeRef, options?: { readonly wait?: boolean; readonly timeoutMs?: number }): Promise<void>;
  /** Same as disposing of it. */
  stop(): Promise<void>;
}
