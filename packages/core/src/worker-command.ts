import type { SpawnRequest } from './transport.js';

/**
 * The pieces of the shell line every transport that starts `hostgrid-worker --stdio`
 * through a shell builds (an SSH exec, `srun`, `qrsh -inherit`), as the seed's worker
 * command: change into the temp path, run the host's `initCmd`, then start node under
 * `nice` with the host's environment. Each transport still composes its own line (what it
 * prints first, whether the shell `exec`s the worker or outlives it); these are the parts
 * that are the same.
 */

/** Quotes a string for a POSIX shell: one single-quoted word, whatever it holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What a shell on a host needs to start one slot's worker with `--stdio`. */
export interface WorkerCommand {
  /** The worker's working directory (the host's temp path). */
  readonly tempPath: string;
  /** The Node.js executable on the host. */
  readonly node: string;
  /** The worker runtime, a path the host sees. */
  readonly workerEntry: string;
  /** `nice -n` for the worker, 0 to 19 (0: no `nice`). */
  readonly niceness: number;
  /** Shell text run in the temp path before the worker starts; `undefined` or blank: none. */
  readonly initCmd: string | undefined;
  /** The host's extra environment, for the worker alone. */
  readonly env: Readonly<Record<string, string>>;
}

/** Options of {@link workerCommand}. */
export interface WorkerCommandOptions {
  /** The Node.js executable when the host names none (`host.node`): `"node"` on a remote PATH, or `process.execPath` on a shared file system. */
  readonly defaultNode: string;
  /** The worker runtime to run instead of `request.workerEntry` (a staged copy on the host). @defaultValue `request.workerEntry` */
  readonly workerEntry?: string;
}

/** The {@link WorkerCommand} a spawn request asks for: the host's node, niceness, initCmd and env, the request's temp path and worker entry. */
export function workerCommand(request: Pick<SpawnRequest, 'host' | 'tempPath' | 'workerEntry'>, options: WorkerCommandOptions): WorkerCommand {
  const { host } = request;
  return {
    tempPath: request.tempPath,
    node: host.node ?? options.defaultNode,
    workerEntry: options.workerEntry ?? request.workerEntry,
    niceness: host.niceness,
    initCmd: host.initCmd,
    env: host.env,
  };
}

/**
 * The worker's own invocation, every word quoted where it must be:
 * `env NAME='value' … nice -n N 'node' 'entry' --stdio` (no `env` without variables, no
 * `nice` at niceness 0). Put `exec ` before it for the shell to become the worker.
 *
 * @throws TypeError when an environment variable's name is not a valid shell name.
 */
export function workerInvocation(command: WorkerCommand): string {
  const env = Object.entries(command.env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`[hostgrid] environment variable name ${JSON.stringify(name)} is not valid`);
    return `${name}=${shellQuote(value)}`;
  });
  const words = [...(env.length > 0 ? ['env', ...env] : []), ...(command.niceness > 0 ? ['nice', '-n', String(command.niceness)] : [])];
  return [...words, shellQuote(command.node), shellQuote(command.workerEntry), '--stdio'].join(' ');
}

/**
 * The first lines of a POSIX shell script that starts a worker (one a line, for
 * `/bin/sh -c`): change into the temp path (exit 1 if it cannot), run `initCmd` (exit with
 * its status if it fails), and check that node is there (exit 127, saying which executable
 * on which host, if it is not). The caller adds what comes next: a report line, then the
 * worker's {@link workerInvocation}.
 */
export function workerScriptPrelude(command: WorkerCommand): string[] {
  const node = shellQuote(command.node);
  const lines = [`cd -- ${shellQuote(command.tempPath)} || exit 1`];
  if (command.initCmd !== undefined && command.initCmd.trim() !== '') lines.push(`{ ${command.initCmd}\n} || exit $?`);
  lines.push(`command -v -- ${node} >/dev/null 2>&1 || { printf 'hostgrid: Node.js executable "%s" not found on %s\\n' ${node} "$(hostname)" >&2; exit 127; }`);
  return lines;
}
