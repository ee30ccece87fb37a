/**
 * The `srun` command line that starts one slot's worker on its node, and the line the
 * node-side shell prints first so that the controller learns the step and the pid.
 */

import { type WorkerCommand, workerInvocation, workerScriptPrelude } from '@hostgrid/core';

/** What the node-side shell writes to stderr before anything else: `<mark><jobid>.<stepid> pid:<pid>`. */
export const STEP_MARK = 'hostgrid-srun-step:';

/** Finds the mark line in stderr text. */
export const STEP_LINE = new RegExp(`${STEP_MARK}(\\d+)\\.(\\d+) pid:(\\d+)\\n`);

/** What one worker's `srun` needs: the worker's command (its `node` is the Node.js executable on the node), and the step's place. */
export interface SrunCommand extends WorkerCommand {
  /** The allocation's job id. */
  readonly jobId: string;
  /** The node, as the allocation names it. */
  readonly nodeName: string;
  /** The step's name (`--job-name`), shown by `squeue --steps`. */
  readonly stepName: string;
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
  return [...workerScriptPrelude(command), `echo "${STEP_MARK}$SLURM_JOB_ID.$SLURM_STEP_ID pid:$$" >&2`, `exec ${workerInvocation(command)}`].join('\n');
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
    `--nodelist=${command.nodeName}`,
    `--job-name=${command.stepName}`,
    ...command.srunArgs,
    '/bin/sh',
    '-c',
    nodeScript(command),
  ];
}
