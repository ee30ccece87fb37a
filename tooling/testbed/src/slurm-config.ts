/**
 * The `slurm.conf` of a SLURM test bed: one controller on the bridge address, one node
 * per network-namespace host, everything (state, spool, logs, pid files, the munge
 * socket) inside the test bed's temp dir, so that two test beds never share anything.
 */
import { join } from 'node:path';

/** What differs between SLURM test beds. */
export interface SlurmConfigInput {
  /** The test bed's temp dir. */
  readonly dir: string;
  /** `ClusterName`: lower-case letters and digits. */
  readonly clusterName: string;
  /** The controller's name (this machine's hostname: slurmctld checks it) and its address on the bridge. */
  readonly controller: { readonly name: string; readonly address: string };
  /** slurmctld's port: free on this machine (slurmctld listens on every address). */
  readonly controllerPort: number;
  /** The nodes and their addresses. */
  readonly nodes: ReadonlyArray<{ readonly name: string; readonly address: string }>;
  /** CPUs each node claims to have; more than this machine has, to oversubscribe. */
  readonly cpusPerNode: number;
  /** `SlurmdTimeout`, in seconds: how long an unanswering node stays up. */
  readonly slurmdTimeoutS: number;
  /** The munge socket. */
  readonly mungeSocket: string;
  /** Extra or replaced keywords. */
  readonly overrides: Readonly<Record<string, string>>;
}

/** The partition every node is in. */
export const PARTITION = 'hostgrid';

/** A node's spool dir: `SlurmdSpoolDir` with `%n` filled in (slurmd does not make it). */
export const spoolDir = (dir: string, node: string): string => join(dir, 'spool', node);

/**
 * The config text. Essentials, as TESTBED.md records them: root runs both daemons, munge
 * through its own socket, `proctrack/linuxproc` and `task/none` (no cgroups inside a
 * namespace), no accounting, `select/cons_tres` with `CR_CPU`, `CPUs` above this machine's
 * count with `SlurmdParameters=config_overrides`, and a short `SlurmdTimeout` so that a
 * cut-off node is noticed in tests. `KillWait=2` makes cancelled jobs go quickly;
 * `ReturnToService=2` brings a node back once it answers again.
 */
export function slurmConfig(input: SlurmConfigInput): string {
  const { dir } = input;
  const entries = new Map<string, [keyword: string, value: string]>();
  const set = (keyword: string, value: string): void => {
    entries.set(keyword.toLowerCase(), [entries.get(keyword.toLowerCase())?.[0] ?? keyword, value]);
  };
  set('ClusterName', input.clusterName);
  set('SlurmctldHost', `${input.controller.name}(${input.controller.address})`);
  set('SlurmctldPort', String(input.controllerPort));
  set('SlurmdPort', '6818');
  set('SlurmUser', 'root');
  set('SlurmdUser', 'root');
  set('AuthType', 'auth/munge');
  set('CredType', 'cred/munge');
  set('AuthInfo', `socket=${input.mungeSocket}`);
  set('StateSaveLocation', join(dir, 'state'));
  set('SlurmdSpoolDir', spoolDir(dir, '%n'));
  set('SlurmctldPidFile', join(dir, 'slurmctld.pid'));
  set('SlurmdPidFile', join(dir, 'spool', 'slurmd-%n.pid'));
  set('SlurmctldLogFile', join(dir, 'log', 'slurmctld.log'));
  set('SlurmdLogFile', join(dir, 'log', 'slurmd-%n.log'));
  set('ProctrackType', 'proctrack/linuxproc');
  set('TaskPlugin', 'task/none');
  set('JobAcctGatherType', 'jobacct_gather/none');
  set('AccountingStorageType', 'accounting_storage/none');
  set('JobCompType', 'jobcomp/none');
  set('MpiDefault', 'none');
  set('SelectType', 'select/cons_tres');
  set('SelectTypeParameters', 'CR_CPU');
  set('SlurmdParameters', 'config_overrides');
  set('SchedulerType', 'sched/backfill');
  set('SlurmdTimeout', String(input.slurmdTimeoutS));
  set('ReturnToService', '2');
  set('KillWait', '2');
  for (const [keyword, value] of Object.entries(input.overrides)) set(keyword, value);
  const lines = [...entries.values()].map(([keyword, value]) => `${keyword}=${value}`);
  for (const node of input.nodes) lines.push(`NodeName=${node.name} NodeAddr=${node.address} CPUs=${input.cpusPerNode} State=UNKNOWN`);
  lines.push(`PartitionName=${PARTITION} Nodes=${input.nodes.map((node) => node.name).join(',')} Default=YES MaxTime=INFINITE State=UP`);
  return `# hostgrid test bed: cluster ${input.clusterName}\n${lines.join('\n')}\n`;
}
