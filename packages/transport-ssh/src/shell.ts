/** Quotes a string for a POSIX shell: one single-quoted word. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What the remote command prints, before the worker starts, followed by the worker's pid. */
export const PID_MARK = 'hostgrid-pid:';

/** What the remote shell runs to start one worker. */
export interface WorkerCommand {
  readonly tempPath: string;
  readonly node: string;
  readonly workerEntry: string;
  readonly niceness: number;
  readonly initCmd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The remote command line for a worker, as the seed's: change into the temp path, run the
 * host's `initCmd`, then `exec` node under `nice` (so that the worker is the session's own
 * process, and signals and the parent watch reach it). Frames go over stdin/stdout.
 */
export function workerCommandLine(command: WorkerCommand): string {
  const env = Object.entries(command.env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`[hostgrid] environment variable name ${JSON.stringify(name)} is not valid`);
    return `${name}=${quote(value)}`;
  });
  // `$$` is the shell's pid, which the worker keeps through `exec`: the channel reads it
  // from stdout (before the worker's preamble) to kill the worker when it must.
  const steps = [`cd -- ${quote(command.tempPath)}`, `echo ${PID_MARK}$$`];
  if (command.initCmd !== undefined && command.initCmd.trim() !== '') steps.push(`{ ${command.initCmd}\n}`);
  const nice = command.niceness > 0 ? `nice -n ${command.niceness} ` : '';
  steps.push(`exec ${env.length > 0 ? `env ${env.join(' ')} ` : ''}${nice}${quote(command.node)} ${quote(command.workerEntry)} --stdio`);
  return steps.join(' && ');
}
