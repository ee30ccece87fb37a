import { shellQuote, type WorkerCommand, workerInvocation } from '@hostgrid/core';

/** Quotes a string for a POSIX shell: one single-quoted word (core's `shellQuote`). */
export const quote = shellQuote;

/** What the remote command prints, before the worker starts, followed by the worker's pid. */
export const PID_MARK = 'hostgrid-pid:';

/**
 * The remote command line for a worker, as the seed's: change into the temp path, run the
 * host's `initCmd`, then `exec` node under `nice` (so that the worker is the session's own
 * process, and signals and the parent watch reach it). Frames go over stdin/stdout.
 * Steps are joined with `&&`, so that the line runs in whatever login shell the user has.
 */
export function workerCommandLine(command: WorkerCommand): string {
  const exec = `exec ${workerInvocation(command)}`;
  // `$$` is the shell's pid, which the worker keeps through `exec`: the channel reads it
  // from stdout (before the worker's preamble) to kill the worker when it must.
  const steps = [`cd -- ${shellQuote(command.tempPath)}`, `echo ${PID_MARK}$$`];
  if (command.initCmd !== undefined && command.initCmd.trim() !== '') steps.push(`{ ${command.initCmd}\n}`);
  steps.push(exec);
  return steps.join(' && ');
}
