import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { checkHostList, parseHostTarget, parseHostsFile, type HostTarget } from './host-target.js';
import { parseOptions, pathOption, seconds, wholeNumber } from './parse-options.js';
import { CliUsageError, plainMessage } from './usage-error.js';

/** How long reaching a host, its SSH handshake and its login may take unless `--connect-timeout` says otherwise, in seconds. */
export const DEFAULT_CONNECT_TIMEOUT_S = 5;

/** How long each later step (node, SFTP, temp path, worker) may take unless `--timeout` says otherwise, in seconds. */
export const DEFAULT_STEP_TIMEOUT_S = 30;

/** What `hostgrid check` was asked to do, defaults filled in. */
export interface CheckOptions {
  /** The hosts, in the order given (arguments, then `--hosts`, then `--hosts-file`). */
  readonly targets: readonly HostTarget[];
  /** The login user of hosts that do not name one. @defaultValue `$USER` */
  readonly user: string;
  /** The SSH port of hosts that do not name one. @defaultValue 22 */
  readonly port: number;
  /** A private key file; without it the ssh-agent at `SSH_AUTH_SOCK` is used. */
  readonly key?: string;
  /** The ssh-agent socket, when there is no key. @defaultValue `SSH_AUTH_SOCK` */
  readonly agent?: string;
  /** The known_hosts file host keys are checked against. @defaultValue `~/.ssh/known_hosts` */
  readonly knownHosts: string;
  /** Workers the worker check starts on each host, each answering a call. @defaultValue 1 */
  readonly slots: number;
  /** The Node.js executable on the hosts. @defaultValue `node` (found on the login shell's PATH) */
  readonly node: string;
  /** A temp path to check and run the worker in; without it, a new folder in `/tmp` (as the grid makes). */
  readonly tempPath?: string;
  /** Limit on reaching, the SSH handshake and the login, in ms. @defaultValue 5000 */
  readonly connectTimeoutMs: number;
  /** Limit on each later step, in ms. @defaultValue 30000 */
  readonly stepTimeoutMs: number;
}

/** `hostgrid check --help`. */
export const CHECK_USAGE = `Usage: hostgrid check [options] <host>...

Checks that each host can run a Hostgrid over SSH, all hosts at once, and prints one
line per host: reachable (TCP), host key known, login accepted, node found and new
enough (>= 20.19), SFTP, temp path writable, a worker starts and answers a call.
Exits 0 when every host passed, 1 when one failed (its line says what to do), 2 for
a bad command line.

Hosts:
  <host>              [user@]name[=address][:port], e.g. root@h1=10.0.0.11:2222
  --hosts LIST        comma-separated hosts, as the demo's --hosts (h1,h2=10.0.0.12)
  --hosts-file FILE   one host per line; blank lines and # comments are ignored

SSH:
  --user NAME         login user of hosts without user@ (default: $USER)
  -i, --key FILE      private key file (default: the ssh-agent at $SSH_AUTH_SOCK);
                      --identity FILE is the same
  --known-hosts FILE  known_hosts file (default ~/.ssh/known_hosts); never written to
  --port N            SSH port of hosts without :port (default 22)
  --connect-timeout S seconds to reach a host and log in (default ${DEFAULT_CONNECT_TIMEOUT_S})

Host settings (as a grid's HostSpec):
  --node PATH         Node.js on the hosts (default: node on the login shell's PATH)
  --temp-path DIR     temp path to check and run the worker in (default: a new folder
                      in /tmp, removed afterwards)
  --slots N           workers to start per host, each answering a call (default 1)
  --timeout S         seconds for each later step: node, SFTP, temp path, worker
                      (default ${DEFAULT_STEP_TIMEOUT_S})
  -h, --help          show this help
`;

const OPTIONS = {
  hosts: { type: 'string', multiple: true },
  'hosts-file': { type: 'string', multiple: true },
  user: { type: 'string' },
  key: { type: 'string', short: 'i' },
  identity: { type: 'string' },
  'known-hosts': { type: 'string' },
  port: { type: 'string' },
  'connect-timeout': { type: 'string' },
  node: { type: 'string' },
  'temp-path': { type: 'string' },
  slots: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The command line of `hostgrid check`, parsed: `help`, or the options (hosts files not yet read). */
export type CheckCommand = { readonly help: true } | ({ readonly help: false; readonly hostsFiles: readonly string[] } & CheckOptions);

/**
 * Parses `hostgrid check`'s arguments (after `check`). Hosts files are read by {@link loadCheckOptions}.
 *
 * @param env - the environment defaults come from (`USER`, `SSH_AUTH_SOCK`, `HOME`)
 * @throws {@link CliUsageError} for an unknown option, a bad value or a bad host
 */
export function parseCheckArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CheckCommand {
  const { values, positionals } = parseOptions('check', args, OPTIONS, true);
  if (values.help === true) return { help: true };
  if (values.key !== undefined && values.identity !== undefined) throw new CliUsageError('check: --key and --identity are the same option: give one');
  const targets = [
    ...positionals.map((entry) => parseHostTarget(entry)),
    ...(values.hosts ?? []).flatMap((list) => list.split(',').map((entry) => parseHostTarget(entry, '--hosts'))),
  ];
  const user = values.user ?? env['USER'] ?? safeUser();
  if (user === undefined || user.trim() === '') throw new CliUsageError('check: no --user given and USER is not set');
  const key = pathOption('check', values.key === undefined ? 'identity' : 'key', values.key ?? values.identity);
  const knownHosts = pathOption('check', 'known-hosts', values['known-hosts']) ?? join(env['HOME'] ?? homedir(), '.ssh', 'known_hosts');
  const node = values.node ?? 'node';
  if (node.trim() === '') throw new CliUsageError('check: --node needs a path or a command name');
  const tempPath = pathOption('check', 'temp-path', values['temp-path']);
  if (tempPath !== undefined && !tempPath.startsWith('/')) throw new CliUsageError(`check: --temp-path must be an absolute path on the hosts, got "${tempPath}"`);
  const agent = env['SSH_AUTH_SOCK'];
  return {
    help: false,
    hostsFiles: values['hosts-file'] ?? [],
    targets,
    user,
    port: wholeNumber('check', 'port', values.port, 22, 1, 65_535),
    ...(key === undefined ? {} : { key: resolve(key) }),
    ...(agent === undefined || agent === '' ? {} : { agent }),
    knownHosts: resolve(knownHosts),
    slots: wholeNumber('check', 'slots', values.slots, 1, 1, 64),
    node,
    ...(tempPath === undefined ? {} : { tempPath }),
    connectTimeoutMs: seconds('check', 'connect-timeout', values['connect-timeout'], DEFAULT_CONNECT_TIMEOUT_S, 600),
    stepTimeoutMs: seconds('check', 'timeout', values.timeout, DEFAULT_STEP_TIMEOUT_S, 3600),
  };
}

/**
 * Reads the hosts files of a parsed command and checks the whole host list.
 *
 * @throws {@link CliUsageError} when a hosts file cannot be read, has a bad line, or the
 *   list is empty or names a host twice
 */
export async function loadCheckOptions(command: Exclude<CheckCommand, { help: true }>): Promise<CheckOptions> {
  const fromFiles: HostTarget[] = [];
  for (const file of command.hostsFiles) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliUsageError(`check: cannot read --hosts-file ${file}: ${plainMessage(error)}`);
    }
    fromFiles.push(...parseHostsFile(text, file));
  }
  const { help: _help, hostsFiles: _files, ...options } = command;
  const targets = [...command.targets, ...fromFiles];
  checkHostList(targets);
  return { ...options, targets };
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
