/**
 * The `srun` command line that starts one slot's worker on its node, and the line the
 * node-side shell prints first so that the controller learns the step and the pid.
 */

/** Quotes a string for a POSIX shell: one single-quoted word. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What the node-side shell writes to stderr before anything else: `<mark><jobid>.<stepid> pid:<pid>`. */
export const STEP_MARK = 'hostgrid-srun-step:';

/** Finds the mark line in stderr text. */
export const STEP_LINE = new RegExp(`${STEP_MARK}(\\d+)\\.(\\d+) pid:(\\d+)\\n`);

/** What one worker's `srun` needs. */
export interface SrunCommand {
  /** The allocation's job id. */
  readonly jobId: string;
  /** The node, as the allocation names it. */
  readonly node: string;
  /** The step's name (`--job-name`), shown by `squeue --steps`. */
  readonly stepName: string;
  /** The worker's working directory (the host's temp path). */
  readonly tempPath: string;
  /** The Node.js executable on the node. */
  readonly nodeExecutable: string;
  /** The worker runtime, a path the node sees. */
  readonly workerEntry: string;
  readonly niceness: number;
  readonly initCmd: string | undefined;
  /** The host's extra environment for the worker. */
  readonly env: Readonly<Record<string, string>>;
  /** More `srun` arguments, placed before the command. */
  readonly srunArgs: readonly string[];
}

/**
 * The node-side script, as the seed's worker command: change into the temp path, run
 * `initCmd`, check that node is there, say which step and pid this is (on stderr, where
 * nothing is held back), then `exec` node under `nice` with the host's environment, so
 * that the worker is the step's own task: signals reach it, and it watches slurmstepd as
 * its parent. Anything that fails before the report ends the step before it counts as
 * started, so that the spawn fails with the shell's own words.
 */
export function nodeScript(command: SrunCommand): string {
  const env = Object.entries(command.env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`[hostgrid] environment variable name ${JSON.stringify(name)} is not valid`);
    return `${name}=${quote(value)}`;
  });
  const node = quote(command.nodeExecutable);
  const lines = [`cd -- ${quote(command.tempPath)} || exit 1`];
  if (command.initCmd !== undefined && command.initCmd.trim() !== '') lines.push(`{ ${command.initCmd}\n} || exit $?`);
  lines.push(
    `command -v -- ${node} >/dev/null 2>&1 || { printf 'hostgrid: Node.js executable "%s" not found on %s\\n' ${node} "$(hostname)" >&2; exit 127; }`,
    `echo "${STEP_MARK}$SLURM_JOB_ID.$SLURM_STEP_ID pid:$$" >&2`,
  );
  const nice = command.niceness > 0 ? `nice -n ${command.niceness} ` : '';
  lines.push(`exec ${env.length > 0 ? `env ${env.join(' ')} ` : ''}${nice}${node} ${quote(command.workerEntry)} --stdio`);
  return lines.join('\n');
}

/**
 * `srun`'s arguments: one task on the named node, in the allocation, sharing its CPUs with
 * the other workers' steps (`--overlap`), and unbuffered: without `--unbuffered`
 * slurmstepd holds a task's output until a newline, which binary frames need not contain.
 */
export function srunArgs(command: SrunCommand): string[] {
  return [
    `--jobid=${command.jobId}`,
    '--overlap',
    '--unbuffered',
    '--nodes=1',
    '--ntasks=1',
    `--nodelist=${command.node}`,
    `--job-name=${command.stepName}`,
    ...command.srunArgs,
    '/bin/sh',
    '-c',
    nodeScript(command),
  ];
}
