/**
 * The command `qrsh -inherit` runs on a host to start one slot's worker, and the line it
 * prints first so that the controller learns the worker's pid and machine.
 */
import { shellQuote, type WorkerCommand, workerInvocation, workerScriptPrelude } from '@hostgrid/core';

export type { WorkerCommand };

/** What the host-side shell writes to stderr before the worker starts: `<mark><pid>:<boot id>`. */
export const PID_MARK = 'hostgrid-qrsh-pid:';

/** Finds the mark line in stderr text: the worker's pid and the host's kernel boot id (empty when unknown). */
export const PID_LINE = new RegExp(`${PID_MARK}(\\d+):([0-9a-f-]*)\\n`);

/**
 * The host-side script, as the seed's worker command: change into the temp path, run
 * `initCmd`, check that node is there, then start the worker (under `nice`, with the
 * host's environment) through a small shell that prints its pid and the host's boot id on
 * stderr and `exec`s node, so the printed pid is the worker's own.
 *
 * The worker is a child of this script, not the task itself, on purpose: SGE counts a
 * task that dies of a signal as failed, and a failed task of a tightly integrated job
 * makes the qmaster end the whole job, controller included. The script outlives its
 * worker and exits with its status (137 for SIGKILL), so one killed or crashed worker
 * costs one slot, not the job.
 */
export function workerScript(command: WorkerCommand): string {
  const report = `read -r boot 2>/dev/null </proc/sys/kernel/random/boot_id; echo "${PID_MARK}$$:$boot" >&2; exec "$@"`;
  // Not `exec`: this shell stays the task's process and turns the worker's end into an exit status.
  return [...workerScriptPrelude(command), `/bin/sh -c ${shellQuote(report)} hostgrid-worker ${workerInvocation(command)}`, 'exit $?'].join('\n');
}

/**
 * The one command line `qrsh -inherit <host>` is given. qrsh joins its arguments with
 * blanks and hands the line to the user's login shell on the host; this line is a single
 * `exec /bin/sh -c '<script>'`, so the script runs in a POSIX shell whatever the login
 * shell is (sh, bash, ksh or zsh; csh and tcsh take it too as long as `initCmd` is one line).
 */
export function qrshCommandLine(command: WorkerCommand): string {
  return `exec /bin/sh -c ${shellQuote(workerScript(command))}`;
}
