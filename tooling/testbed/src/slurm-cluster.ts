/**
 * A SLURM cluster on this machine, as `startSlurm` stands it up: a private munged,
 * slurmctld on the bridge address, and one slurmd per network-namespace node.
 */
import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestbedError } from './errors.js';
import { TeardownErrors } from './lifecycle.js';
import {
  addHost, bridgeAddress, bridgeName, claimBridge, currentOwner, hostAddress, namespaceName, removeLink, removeNamespace, removeSync, vethName,
} from './network.js';
import { PARTITION, slurmConfig, spoolDir } from './slurm-config.js';
import type { SlurmDaemon } from './slurm-daemon.js';
import { mungeSocket, startMunged, startSlurmctld, startSlurmd, waitUntil, writeMungeKey } from './slurm-daemons.js';
import type { SlurmInfrastructure } from './slurm-infrastructure.js';
import { HeldAllocation, jobInfo, parseListPids, parseSteps, sbatchArgs, waitForJob } from './slurm-jobs.js';
import { cleanEnv, processesWithConf, runWithEnv } from './slurm-processes.js';
import type {
  NodeRef, SallocOptions, SbatchOptions, SlurmAllocation, SlurmJobInfo, SlurmNode, SlurmStep, SlurmTestbed, SlurmTrackedPid, StartSlurmOptions,
} from './slurm-testbed.js';
import { type CommandResult, freePort, killHard, killUntilEmpty, killUntilEmptySync, pidsInNetns, runOk } from './system.js';

interface NodeState {
  readonly node: SlurmNode;
  inode: number | undefined;
  slurmd: SlurmDaemon | undefined;
}

/** Where a cluster reports that it exists and that it is gone: the exit hook's list. */
export interface ClusterRegistry {
  add(cluster: SlurmCluster): void;
  delete(cluster: SlurmCluster): void;
}

/** The {@link SlurmTestbed} behind `startSlurm`. */
export class SlurmCluster implements SlurmTestbed {
  nodes: SlurmNode[] = [];
  env: Record<string, string> = {};
  confPath = '';
  clusterName = '';
  controllerAddress = '';
  controllerPort = 0;
  dir = '';
  bridge = '';
  subnet = '';
  readonly #infra: SlurmInfrastructure;
  readonly #label: string;
  readonly #registry: ClusterRegistry;
  #index: number | undefined;
  readonly #states = new Map<string, NodeState>();
  #munged: SlurmDaemon | undefined;
  #slurmctld: SlurmDaemon | undefined;
  readonly #allocations = new Set<HeldAllocation>();
  #teardown: Promise<void> | undefined;

  constructor(infra: SlurmInfrastructure, label: string, registry: ClusterRegistry) {
    this.#infra = infra;
    this.#label = label;
    this.#registry = registry;
  }

  get pids(): SlurmTestbed['pids'] {
    const slurmd: Record<string, number> = {};
    for (const [name, state] of this.#states) if (state.slurmd) slurmd[name] = state.slurmd.pid;
    return { munged: this.#munged?.pid ?? 0, slurmctld: this.#slurmctld?.pid ?? 0, slurmd };
  }

  async start(count: number, options: StartSlurmOptions): Promise<void> {
    const infra = this.#infra;
    this.#registry.add(this);
    this.dir = await mkdtemp(join(tmpdir(), `hostgrid-testbed-${this.#label}-`));
    // munged runs as its own user and must reach its key and socket through this dir.
    await chmod(this.dir, 0o755);
    const owner = currentOwner(this.#label, this.dir);
    await writeFile(join(this.dir, 'owner.json'), `${JSON.stringify(owner)}\n`);
    const index = await claimBridge(infra.ip, owner, (claimed) => {
      this.#index = claimed;
      this.bridge = bridgeName(claimed);
    });
    this.controllerAddress = bridgeAddress(index);
    this.subnet = `10.200.${index}.0/24`;
    this.clusterName = `hg${index}`;
    const cpus = options.cpusPerNode ?? 16;
    for (let k = 1; k <= count; k += 1) {
      const node = { name: `h${k}`, address: hostAddress(index, k), namespace: namespaceName(index, k), veth: vethName(index, k), cpus };
      this.#states.set(node.name, { node, inode: undefined, slurmd: undefined });
      this.nodes.push(node);
    }
    const states = [...this.#states.values()];
    const mungeDir = join(this.dir, 'munge');
    const socket = mungeSocket(mungeDir);
    await Promise.all([
      ...states.map((state, i) => addHost(infra.ip, index, i + 1, (inode) => (state.inode = inode))),
      ...[join(this.dir, 'state'), join(this.dir, 'log'), ...this.nodes.map((node) => spoolDir(this.dir, node.name))].map((path) => mkdir(path, { recursive: true })),
      writeMungeKey(mungeDir),
    ]);
    this.controllerPort = await freePort();
    this.confPath = join(this.dir, 'slurm.conf');
    this.env = { SLURM_CONF: this.confPath };
    await writeFile(
      this.confPath,
      slurmConfig({
        dir: this.dir,
        clusterName: this.clusterName,
        controller: { name: hostname().split('.')[0] ?? hostname(), address: this.controllerAddress },
        controllerPort: this.controllerPort,
        nodes: this.nodes,
        cpusPerNode: cpus,
        slurmdTimeoutS: options.slurmdTimeoutS ?? 10,
        mungeSocket: socket,
        overrides: options.slurmConfig ?? {},
      }),
    );
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    const daemonEnv = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', SLURM_CONF: this.confPath };
    this.#munged = await startMunged(infra, mungeDir, daemonEnv);
    await this.#until(deadline, 'munged to make its socket', async () => {
      this.#munged!.assertRunning('before it made its socket');
      return (await runWithEnv('/bin/sh', ['-c', 'test -S "$1"', 'sh', socket], daemonEnv)).code === 0;
    });
    this.#slurmctld = await startSlurmctld(infra, this.confPath, daemonEnv);
    for (const state of states) state.slurmd = await startSlurmd(infra, state.node, this.confPath, daemonEnv);
    await this.#until(deadline, 'every node to be idle', async () => {
      this.#slurmctld!.assertRunning('while the nodes were starting');
      for (const state of states) state.slurmd!.assertRunning('before its node was idle');
      const result = await this.client([infra.sinfo, '-h', '-N', '-o', '%N %t'], { timeoutMs: 5_000 });
      const idle = result.stdout.split('\n').filter((line) => /^\S+ idle$/.test(line.trim())).length;
      return result.code === 0 && idle === count;
    });
  }

  #until(deadline: number, what: string, ready: () => Promise<boolean>): Promise<void> {
    return waitUntil(deadline, what, ready, () => [this.#munged, this.#slurmctld, ...[...this.#states.values()].map((state) => state.slurmd)]);
  }

  #alive(): void {
    if (this.#teardown) throw new TestbedError(`[testbed] SLURM test bed ${this.clusterName} has been stopped`);
  }

  #state(ref: NodeRef): NodeState {
    this.#alive();
    const name = typeof ref === 'string' ? ref : ref.name;
    const state = this.#states.get(name);
    if (!state) throw new TestbedError(`[testbed] no node "${name}" in SLURM test bed ${this.clusterName} (nodes: ${[...this.#states.keys()].join(', ')})`);
    return state;
  }

  client(command: readonly string[], options: { readonly timeoutMs?: number } = {}): Promise<CommandResult> {
    const [file, ...args] = command;
    if (file === undefined) throw new TestbedError('[testbed] client() needs a command');
    return runWithEnv(file, args, cleanEnv(this.env), options.timeoutMs ?? 30_000);
  }

  async #clientOk(command: readonly string[]): Promise<string> {
    const result = await this.client(command);
    if (result.code !== 0) throw new TestbedError(`[testbed] \`${command.join(' ')}\` exited with ${result.code ?? result.signal}: ${result.stderr.trim() || result.stdout.trim()}`);
    return result.stdout;
  }

  exec(ref: NodeRef, command: readonly string[], options: { readonly timeoutMs?: number } = {}): Promise<CommandResult> {
    const { node, slurmd } = this.#state(ref);
    const uts = slurmd?.running ? [`--uts=/proc/${slurmd.pid}/ns/uts`] : [];
    return runWithEnv(this.#infra.nsenter, [`--net=/run/netns/${node.namespace}`, ...uts, '--', ...command], cleanEnv(this.env), options.timeoutMs ?? 30_000);
  }

  async salloc(options: SallocOptions = {}): Promise<SlurmAllocation> {
    this.#alive();
    const args = [
      `--nodes=${options.nodes ?? this.nodes.length}`, `--ntasks-per-node=${options.tasksPerNode ?? 1}`, `--partition=${PARTITION}`,
      ...(options.noKill === false ? [] : ['--no-kill']), ...(options.args ?? []),
    ];
    const allocation = new HeldAllocation(this.#infra.salloc, args, cleanEnv(this.env), (jobId) => this.client([this.#infra.scancel, jobId]));
    this.#allocations.add(allocation);
    await allocation.granted(options.timeoutMs ?? 30_000);
    allocation.env = { ...allocation.env, ...this.env };
    return allocation;
  }

  async sbatch(command: readonly string[], options: SbatchOptions = {}): Promise<string> {
    this.#alive();
    const args = sbatchArgs(command, { nodes: this.nodes.length, output: join(this.dir, 'slurm-%j.out') }, options);
    const result = await runWithEnv(this.#infra.sbatch, args, { ...cleanEnv(this.env), ...options.env });
    const jobId = /^(\d+)/.exec(result.stdout.trim())?.[1];
    if (result.code !== 0 || jobId === undefined) throw new TestbedError(`[testbed] sbatch failed (${result.code ?? result.signal}): ${result.stderr.trim() || result.stdout.trim()}`);
    return jobId;
  }

  async job(jobId: string): Promise<SlurmJobInfo | undefined> {
    const result = await this.client([this.#infra.scontrol, 'show', 'job', '-o', jobId]);
    return jobInfo(jobId, result.stdout);
  }

  waitJob(jobId: string, options: { readonly timeoutMs?: number } = {}): Promise<SlurmJobInfo> {
    return waitForJob((id) => this.job(id), jobId, options.timeoutMs ?? 120_000);
  }

  async jobs(): Promise<string[]> {
    return (await this.#clientOk([this.#infra.squeue, '-h', '-o', '%i'])).split('\n').map((line) => line.trim()).filter(Boolean);
  }

  async steps(jobId?: string): Promise<SlurmStep[]> {
    return parseSteps(await this.#clientOk([this.#infra.squeue, '-h', '--steps', '-o', '%i %j %N', ...(jobId === undefined ? [] : ['-j', jobId])]));
  }

  async listPids(ref: NodeRef): Promise<SlurmTrackedPid[]> {
    const result = await this.exec(ref, [this.#infra.scontrol, 'listpids']);
    return parseListPids(result.stdout);
  }

  pidsIn(ref: NodeRef): number[] {
    const { inode } = this.#state(ref);
    return inode === undefined ? [] : pidsInNetns(inode);
  }

  async nodeState(ref: NodeRef): Promise<string> {
    const { node } = this.#state(ref);
    return (await this.#clientOk([this.#infra.sinfo, '-h', '-N', '-n', node.name, '-o', '%t'])).trim();
  }

  async cutNode(ref: NodeRef): Promise<void> {
    const { veth } = this.#state(ref).node;
    await runOk(`taking ${veth} down`, this.#infra.ip, ['link', 'set', 'dev', veth, 'down']);
  }

  async restoreNode(ref: NodeRef, options: { readonly wait?: boolean; readonly timeoutMs?: number } = {}): Promise<void> {
    const { node } = this.#state(ref);
    await runOk(`bringing ${node.veth} up`, this.#infra.ip, ['link', 'set', 'dev', node.veth, 'up']);
    if (options.wait === false) return;
    // Left alone, slurmctld takes a DOWN node back (ReturnToService=2) only when its next
    // ping gets through, ~50 s here; RESUME makes it ask at once (~1 s), again while refused.
    const timeoutMs = options.timeoutMs ?? 90_000;
    let nudged = 0;
    await this.#until(Date.now() + timeoutMs, `node ${node.name} to be back in service`, async () => {
      const state = await this.nodeState(node);
      if (state.startsWith('down') && Date.now() - nudged > 2_000) {
        nudged = Date.now();
        await this.client([this.#infra.scontrol, 'update', `NodeName=${node.name}`, 'State=RESUME'], { timeoutMs: 10_000 });
      }
      return /^(idle|mix|alloc)$/.test(state);
    });
  }

  stop(): Promise<void> {
    return this[Symbol.asyncDispose]();
  }

  /** What this test bed has made so far, for a `TestbedStartError`. */
  made(): { bridge: string | undefined; namespaces: string[]; dir: string | undefined } {
    return { bridge: this.bridge || undefined, namespaces: this.nodes.map((node) => node.namespace), dir: this.dir || undefined };
  }

  [Symbol.asyncDispose](): Promise<void> {
    if (this.#teardown === undefined) {
      // The daemons do not keep node alive on purpose (the exit hook covers a forgotten
      // test bed); a teardown under way must, or a script would exit half way through it.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      this.#teardown = this.#tearDown().finally(() => clearInterval(keepAlive));
    }
    return this.#teardown;
  }

  async #tearDown(): Promise<void> {
    const errors = new TeardownErrors();
    const attempt = (step: () => unknown): Promise<void> => errors.attempt(step);
    const ip = this.#infra.ip;
    // Jobs first, while slurmctld still runs: their clients (srun, salloc) then end by themselves.
    if (this.#slurmctld?.running) await attempt(() => runWithEnv(this.#infra.scancel, ['--quiet', '--user=root'], cleanEnv(this.env), 5_000));
    await Promise.all([...this.#allocations].map((allocation) => attempt(() => allocation.release())));
    // slurmd, slurmstepd, tasks and batch scripts: everything in the nodes' namespaces.
    await Promise.all(
      [...this.#states.values()].map(async (state) => {
        await attempt(() => removeNamespace(ip, state.node.namespace, state.inode));
        const slurmd = state.slurmd;
        if (slurmd && !(await slurmd.waitExit(5_000))) await attempt(() => slurmd.stop(0));
        await attempt(() => removeLink(ip, state.node.veth));
      }),
    );
    if (this.#slurmctld) await attempt(() => this.#slurmctld!.stop(3_000));
    // Clients left over and slurmctld's helper (slurmscriptd): they carry our SLURM_CONF.
    if (this.confPath) await attempt(() => killUntilEmpty(() => processesWithConf(this.confPath), `the clients of SLURM test bed ${this.clusterName}`));
    if (this.#munged) await attempt(() => this.#munged!.stop(3_000));
    if (this.#index !== undefined) await attempt(() => removeLink(ip, this.bridge));
    if (this.dir) await attempt(() => rm(this.dir, { recursive: true, force: true }));
    this.#registry.delete(this);
    errors.throwIfAny(`stopping SLURM test bed ${this.clusterName || this.dir}`, 'hostgrid-testbed slurm cleanup');
  }

  /** The exit hook's teardown: synchronous, SIGKILL everything, best effort, never throws. */
  teardownSync(): void {
    for (const allocation of this.#allocations) allocation.killSync();
    const states = [...this.#states.values()];
    const links = states.map((state) => state.node.veth);
    if (this.#index !== undefined) links.push(this.bridge);
    removeSync(this.#infra.ip, states.map((state) => ({ name: state.node.namespace, inode: state.inode })), links);
    for (const daemon of [this.#slurmctld, this.#munged, ...states.map((state) => state.slurmd)]) daemon?.kill('SIGKILL');
    if (this.confPath) killUntilEmptySync(() => processesWithConf(this.confPath));
    for (const daemon of [this.#slurmctld, this.#munged]) if (daemon) killHard(daemon.pid);
    if (this.dir) {
      try {
        rmSync(this.dir, { recursive: true, force: true });
      } catch {
        // Best effort at exit: `hostgrid-testbed slurm cleanup` removes whatever is left.
      }
    }
  }
}
