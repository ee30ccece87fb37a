/** What `hostgrid-worker --connect …` asks for: a host agent, or one slot worker an agent starts. */
export interface ConnectCommand {
  readonly kind: 'connect';
  /** `ws://…` or `wss://…` of the controller. */
  readonly url: string;
  /** The host's name in the grid. */
  readonly host: string;
  /** `agent`: dial in as the host and start slot workers when asked; `slot`: one slot worker. */
  readonly role: 'agent' | 'slot';
  /** Agent: how many slots it offers. */
  readonly slots: number;
  /** Slot: its slot number. */
  readonly slot: number;
  /** Slot: the one-time ticket of its start request. */
  readonly ticket: string;
  /** A PEM file with the CA certificate(s) to trust for `wss://`, instead of the system's. */
  readonly ca?: string;
  /** Agent: how long to keep trying to (re)connect, in seconds. */
  readonly retryForSec: number;
  /** A file holding the token (first line). */
  readonly tokenFile?: string;
  /** The token itself on the command line (visible to `ps`: prefer `HOSTGRID_TOKEN` or `--token-file`). */
  readonly token?: string;
  /**
   * Slot: a descriptor the token is read from (until end of file), so that it is in
   * neither the worker's environment block nor its command line. An agent passes it to
   * the workers it starts.
   */
  readonly tokenFd?: number;
}

/** `--retry-for` unless given, in seconds. */
export const DEFAULT_RETRY_FOR_SEC = 300;

/** The `--connect` synopsis of `hostgrid-worker --help`. */
export const CONNECT_SYNOPSIS = `       hostgrid-worker --connect <ws(s)://controller:port> --host <name> --slots <n>
                       [--ca <file>] [--retry-for <sec>] [--token-file <file>]
`;

/** The `--connect` options of `hostgrid-worker --help`. */
export const CONNECT_OPTIONS = `  --connect <url>    run as a host agent: dial in to a controller's WebSocket endpoint
                     (@hostgrid/transport-ws) as host <name> offering <n> slots, and
                     start a slot worker whenever the controller asks for one
  --host <name>      the host's name in the grid
  --slots <n>        how many slots (worker processes) this host offers
  --ca <file>        PEM file of the CA that signed the controller's certificate (wss://)
  --retry-for <sec>  keep trying to (re)connect for this long, with growing waits;
                     then exit with code 6 (default ${DEFAULT_RETRY_FOR_SEC})
  --token-file <f>   read the grid's token from this file (first line); else the
                     token comes from the HOSTGRID_TOKEN environment variable
  --token <t>        the token itself (visible to every user through ps: avoid)
`;

const URL_PATTERN = /^wss?:\/\/[^\s/]+/;

/**
 * Reads `hostgrid-worker --connect …` arguments (without `node` and the script).
 * `--slot <i> --ticket <t>` (used by an agent for the workers it starts) makes a slot
 * worker instead of an agent.
 *
 * @returns the command, or a one-line message saying what is wrong
 */
export function parseConnectArgs(args: readonly string[]): ConnectCommand | { readonly kind: 'error'; readonly message: string } {
  const values = new Map<string, string>();
  const names = ['--connect', '--host', '--slots', '--slot', '--ticket', '--ca', '--retry-for', '--token-file', '--token', '--token-fd'];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    // Only the name: a mistyped token option must not print the token.
    if (!names.includes(name)) return { kind: 'error', message: `unknown argument ${JSON.stringify(name)} with --connect` };
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) return { kind: 'error', message: `${name} needs a value` };
    if (values.has(name)) return { kind: 'error', message: `${name} is given twice` };
    values.set(name, value);
  }
  const url = values.get('--connect')!;
  if (!URL_PATTERN.test(url)) return { kind: 'error', message: `--connect needs a ws:// or wss:// URL, got ${JSON.stringify(url)}` };
  const host = values.get('--host');
  if (host === undefined) return { kind: 'error', message: '--connect needs --host <name>: the name of this host in the grid' };
  const count = (name: string, min: number): number | string | undefined => {
    const value = values.get(name);
    if (value === undefined) return undefined;
    return /^\d+$/.test(value) && Number(value) >= min && Number(value) <= 65_535 ? Number(value) : `${name} needs an integer from ${min} to 65535, got ${JSON.stringify(value)}`;
  };
  const slots = count('--slots', 1);
  const slot = count('--slot', 0);
  const retry = values.get('--retry-for');
  for (const value of [slots, slot]) if (typeof value === 'string') return { kind: 'error', message: value };
  if (retry !== undefined && !(/^\d+(\.\d+)?$/.test(retry) && Number(retry) >= 0)) {
    return { kind: 'error', message: `--retry-for needs a number of seconds >= 0, got ${JSON.stringify(retry)}` };
  }
  const tokenFd = count('--token-fd', 3);
  if (typeof tokenFd === 'string') return { kind: 'error', message: tokenFd };
  if ([values.has('--token'), values.has('--token-file'), tokenFd !== undefined].filter(Boolean).length > 1) {
    return { kind: 'error', message: `give one of --token and --token-file${tokenFd === undefined ? '' : ' (and --token-fd)'}` };
  }
  const ticket = values.get('--ticket');
  let role: 'agent' | 'slot';
  if (slot !== undefined || ticket !== undefined) {
    if (slot === undefined || ticket === undefined) return { kind: 'error', message: '--slot and --ticket go together (an agent passes both to the workers it starts)' };
    if (slots !== undefined) return { kind: 'error', message: 'give --slots (an agent) or --slot with --ticket (a slot worker), not both' };
    role = 'slot';
  } else {
    if (slots === undefined) return { kind: 'error', message: '--connect needs --slots <n>: how many workers this host runs' };
    role = 'agent';
  }
  const optional = (name: string, key: 'ca' | 'tokenFile' | 'token'): Partial<ConnectCommand> => (values.has(name) ? { [key]: values.get(name)! } : {});
  return {
    kind: 'connect',
    url,
    host,
    role,
    slots: (slots as number | undefined) ?? 0,
    slot: (slot as number | undefined) ?? 0,
    ticket: ticket ?? '',
    retryForSec: retry === undefined ? DEFAULT_RETRY_FOR_SEC : Number(retry),
    ...optional('--ca', 'ca'),
    ...optional('--token-file', 'tokenFile'),
    ...optional('--token', 'token'),
    ...(tokenFd === undefined ? {} : { tokenFd }),
  };
}
