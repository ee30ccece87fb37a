import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type ExchangeConfig, MAX_REPLICAS } from './config.js';
import { type HostEntry, HostListError, layoutReplicas, parseHostList } from './hosts.js';
import { LAUNCHERS, LAUNCHER_OPTIONS, LAUNCHER_USAGE, type LauncherFlags, launcherFlags } from './launcher-args.js';
import { MIN_SIZE } from './ising.js';
import { DEFAULT_JOIN_TIMEOUT_S, DEFAULT_LISTEN, WS_OPTIONS, type WsFlags, wsFlags } from './ws-args.js';

/** The CLI's name, as users type it. */
export const PROGRAM = 'hostgrid-demo';

/** Transports the demo can run on. */
export const TRANSPORTS = ['local', 'ssh', 'ws'] as const;

/** One of {@link TRANSPORTS}. */
export type TransportName = (typeof TRANSPORTS)[number];

/** Where the result and the report go when `--out` is not given (relative to where the command was typed). */
export const DEFAULT_OUT = 'hostgrid-demo-out';

/** The SSH transport's settings from the command line; each is absent when its flag was not given. */
export interface SshFlags {
  /** `--user`: the login user. */
  readonly user?: string;
  /** `--key`: a private key file. */
  readonly key?: string;
  /** `--known-hosts`: the known_hosts file host keys are checked against. */
  readonly knownHosts?: string;
  /** `--port`: the SSH port of every host. */
  readonly port?: number;
  /** `--connect-timeout`, in ms. */
  readonly connectTimeoutMs?: number;
  /** `--accept-new-host-keys`: accept and record hosts not yet in known_hosts. */
  readonly acceptNewHostKeys: boolean;
}

/** The live view's settings (`--live`). */
export interface LiveFlags {
  /** `--live-port`: the port on 127.0.0.1; 0 takes any free one. */
  readonly port: number;
  /** `--live-hold-ms`: how long the page stays served after the run ends. */
  readonly holdMs: number;
}

/** The command line, parsed and checked. */
export interface CliOptions {
  /** `--help` was given: print {@link USAGE} and do nothing else. */
  readonly help: boolean;
  /** The run's config, defaults filled in. */
  readonly config: ExchangeConfig;
  /** `--transport`. @defaultValue `'local'` */
  readonly transport: TransportName;
  /** The hosts, with their slots adding up to `config.replicas`. @defaultValue one host `local` */
  readonly hosts: readonly HostEntry[];
  /** Settings of `--transport ssh`. */
  readonly ssh: SshFlags;
  /** Settings of `--transport ws`; absent for other transports. */
  readonly ws?: WsFlags;
  /** `--sequential`: run in this process without a grid. */
  readonly sequential: boolean;
  /** `--display`: stream the workers' output. */
  readonly display: boolean;
  /**
   * `--debug` (`'debug'`: the grid's life) or `--verbose` (`'trace'`: every call too): the
   * level of the grid's logger (pino, on stderr); absent without them, the level is `warn`
   * (lost workers, restarts given up, unobserved failures).
   */
  readonly logLevel?: 'debug' | 'trace';
  /** `--out DIR`: where `result.json`, `report.json` and `report.html` go. @defaultValue {@link DEFAULT_OUT} */
  readonly out: string;
  /** `--live`: serve the live view during the run; absent without it. */
  readonly live?: LiveFlags;
  /**
   * `--launcher slurm|sge`: run inside a scheduler's allocation, which gives the hosts and
   * starts the workers (`hosts` is then empty until the allocation is read), or with
   * `--sbatch` submit the demo as a batch job; absent without it.
   */
  readonly launcher?: LauncherFlags;
}

/** A bad command line: the message is one line for people, naming the flag. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The `--help` text. */
export const USAGE = `Usage: ${PROGRAM} [options]

Replica-exchange Monte Carlo (parallel tempering) of a 2D Ising model on a Hostgrid,
one replica per server. With the same options the result is always the same.

Model:
  --replicas N     replicas = temperatures = servers, 2 to ${MAX_REPLICAS} (default ${DEFAULT_CONFIG.replicas},
                   or hosts x --slots when --slots is given)
  --rounds N       exchange rounds (default ${DEFAULT_CONFIG.rounds})
  --sweeps N       Metropolis sweeps per replica per round (default ${DEFAULT_CONFIG.sweeps})
  --size L         lattice side, L x L spins, at least ${MIN_SIZE} (default ${DEFAULT_CONFIG.size})
  --tmin T         lowest temperature (default ${DEFAULT_CONFIG.tmin})
  --tmax T         highest temperature; the ladder is geometric (default ${DEFAULT_CONFIG.tmax})
  --seed N         master seed, 0 to 4294967295 (default ${DEFAULT_CONFIG.seed})

Grid:
  --transport NAME how workers are started: ${TRANSPORTS.join(', ')} (default local)
  --hosts LIST     comma-separated hosts; for ssh each is name or name=address
                   (default: one host, "local")
  --slots N        servers per host; replicas must equal hosts x slots
                   (default replicas / hosts)
  --sequential     run in this process, without a grid (the reference result)
  --display        stream the workers' output, prefixed [host/slot]
  --debug          log the grid's life (starts, publishes, losses) on stderr, as JSON (pino)
  --verbose        log every call as well (implies --debug)

${LAUNCHER_USAGE}

SSH (--transport ssh):
  --user NAME      login user (default: $USER)
  --key FILE       private key file (default: the ssh-agent at $SSH_AUTH_SOCK)
  --known-hosts F  known_hosts file (default ~/.ssh/known_hosts)
  --port N         SSH port of every host (default 22)
  --connect-timeout S   seconds to connect and log in (default 20)
  --accept-new-host-keys  accept and record hosts not yet in known_hosts

WebSocket (--transport ws; each host runs the agent command the demo prints):
  --listen H:P     where the controller listens (default ${DEFAULT_LISTEN.host}:${DEFAULT_LISTEN.port}; port 0: any)
  --token-file F   the grid's token (first line of F); default $HOSTGRID_TOKEN, else
                   a new one written to <out>/hostgrid-token (mode 600)
  --tls-cert F     serve wss:// with this PEM certificate (and --tls-key F)
  --join-timeout S seconds to wait for every host's agent (default ${DEFAULT_JOIN_TIMEOUT_S})

Output:
  --out DIR        write result.json, report.json and report.html to DIR
                   (default ./${DEFAULT_OUT}, relative to where you typed the command)
  --live           serve a live view of the run on 127.0.0.1 and print its URL
  --live-port N    its port (default 0: any free port; implies --live)
  --live-hold-ms N keep it served N ms after the run ends (default 0; implies --live)
  -h, --help       show this help
`;

const options = {
  replicas: { type: 'string' },
  rounds: { type: 'string' },
  sweeps: { type: 'string' },
  size: { type: 'string' },
  tmin: { type: 'string' },
  tmax: { type: 'string' },
  seed: { type: 'string' },
  transport: { type: 'string' },
  hosts: { type: 'string' },
  slots: { type: 'string' },
  user: { type: 'string' },
  key: { type: 'string' },
  'known-hosts': { type: 'string' },
  port: { type: 'string' },
  'connect-timeout': { type: 'string' },
  'accept-new-host-keys': { type: 'boolean' },
  sequential: { type: 'boolean' },
  out: { type: 'string' },
  live: { type: 'boolean' },
  'live-port': { type: 'string' },
  'live-hold-ms': { type: 'string' },
  display: { type: 'boolean' },
  debug: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...LAUNCHER_OPTIONS,
  ...WS_OPTIONS,
} as const;

const BIG = Number.MAX_SAFE_INTEGER;

function integer(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    const range = max === BIG ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${flag} must be a whole number ${range}, got "${text}"`);
  }
  return value;
}

function optionalInteger(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  return text === undefined ? undefined : integer(flag, text, min, max);
}

function positive(flag: string, text: string | undefined, fallback: number, max = Number.POSITIVE_INFINITY): number {
  if (text === undefined) return fallback;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new UsageError(`--${flag} must be a positive number${max === Number.POSITIVE_INFINITY ? '' : ` up to ${max}`}, got "${text}"`);
  }
  return value;
}

function text(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${flag} needs a value`);
  return value;
}

/** The first sentence of node's parseArgs messages, which go on to explain `--`. */
function shorten(message: string): string {
  const first = message.split(/\.\s/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

function transportOf(name: string | undefined): TransportName {
  const transport = name ?? 'local';
  if ((TRANSPORTS as readonly string[]).includes(transport)) return transport as TransportName;
  if ((LAUNCHERS as readonly string[]).includes(transport)) {
    throw new UsageError(`${transport} is a launcher, not a transport: inside an allocation use --launcher ${transport}`);
  }
  throw new UsageError(`unknown transport "${transport}" (available: ${TRANSPORTS.join(', ')})`);
}

type Values = ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];

const SSH_FLAGS = ['user', 'key', 'known-hosts', 'port', 'connect-timeout', 'accept-new-host-keys'] as const;

function sshFlags(values: Values, transport: TransportName): SshFlags {
  if (transport !== 'ssh') {
    const stray = SSH_FLAGS.find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} is only for --transport ssh`);
  }
  const user = text('user', values.user);
  const key = text('key', values.key);
  const knownHosts = text('known-hosts', values['known-hosts']);
  const port = optionalInteger('port', values.port, 1, 65_535);
  const timeout = values['connect-timeout'];
  const connectTimeoutMs = timeout === undefined ? undefined : Math.ceil(positive('connect-timeout', timeout, 0, 3600) * 1000);
  return {
    ...(user === undefined ? {} : { user }),
    ...(key === undefined ? {} : { key }),
    ...(knownHosts === undefined ? {} : { knownHosts }),
    ...(port === undefined ? {} : { port }),
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
    acceptNewHostKeys: values['accept-new-host-keys'] ?? false,
  };
}

function liveFlags(values: Values): LiveFlags | undefined {
  const port = optionalInteger('live-port', values['live-port'], 0, 65_535);
  const holdMs = optionalInteger('live-hold-ms', values['live-hold-ms'], 0, 3_600_000);
  if (values.live !== true && port === undefined && holdMs === undefined) return undefined;
  return { port: port ?? 0, holdMs: holdMs ?? 0 };
}

/**
 * Parses the command line (without `node` and the script).
 *
 * @throws {@link UsageError} for an unknown flag, a missing or bad value, a transport
 *   that does not exist yet, or hosts and slots that do not give one server per replica
 */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(shorten((error as Error).message));
  }
  const transport = transportOf(values.transport);
  const sequential = values.sequential ?? false;
  if (sequential) {
    const stray = (['transport', 'hosts', 'slots', 'live', 'live-port', 'live-hold-ms', 'debug', 'verbose'] as const).find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw new UsageError(`--sequential runs in this process, without a grid: it takes no --${stray}`);
  }
  const live = liveFlags(values);
  const launcher = launcherFlags(
    values,
    {
      replicas: optionalInteger('replicas', values.replicas, 2, MAX_REPLICAS),
      slots: optionalInteger('slots', values.slots, 1, MAX_REPLICAS),
      nodes: optionalInteger('nodes', values.nodes, 1, MAX_REPLICAS),
    },
    DEFAULT_CONFIG.replicas,
    MAX_REPLICAS,
    (message) => new UsageError(message),
  );
  if (transport === 'ssh' && values.hosts === undefined) throw new UsageError('--transport ssh needs --hosts (e.g. --hosts node1,node2=10.0.0.2)');

  let hostList;
  try {
    hostList = values.hosts === undefined ? [{ name: 'local' }] : parseHostList(values.hosts);
  } catch (error) {
    throw error instanceof HostListError ? new UsageError(error.message) : error;
  }
  if (transport !== 'ssh') {
    const remote = hostList.find((host) => 'address' in host);
    if (remote !== undefined) throw new UsageError(`--hosts: name=address is only for --transport ssh (host "${remote.name}")`);
  }
  const ws = wsFlags(values, transport, (message) => new UsageError(message));
  let layout;
  try {
    layout = launcher !== undefined ? { replicas: launcher.replicas, slots: 0 } : layoutReplicas(
      optionalInteger('replicas', values.replicas, 2, MAX_REPLICAS),
      DEFAULT_CONFIG.replicas,
      hostList.length,
      optionalInteger('slots', values.slots, 1, MAX_REPLICAS),
      MAX_REPLICAS,
    );
  } catch (error) {
    throw error instanceof HostListError ? new UsageError(error.message) : error;
  }

  const config: ExchangeConfig = {
    replicas: layout.replicas,
    rounds: optionalInteger('rounds', values.rounds, 1, BIG) ?? DEFAULT_CONFIG.rounds,
    sweeps: optionalInteger('sweeps', values.sweeps, 1, BIG) ?? DEFAULT_CONFIG.sweeps,
    size: optionalInteger('size', values.size, MIN_SIZE, 4096) ?? DEFAULT_CONFIG.size,
    tmin: positive('tmin', values.tmin, DEFAULT_CONFIG.tmin),
    tmax: positive('tmax', values.tmax, DEFAULT_CONFIG.tmax),
    seed: optionalInteger('seed', values.seed, 0, 4294967295) ?? DEFAULT_CONFIG.seed,
  };
  if (config.tmax < config.tmin) {
    throw new UsageError(`--tmax (${config.tmax}) must not be lower than --tmin (${config.tmin})`);
  }
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out needs a folder name');
  return {
    help: values.help ?? false,
    config,
    transport,
    hosts: launcher !== undefined ? [] : hostList.map((host) => ({ ...host, slots: layout.slots })),
    ssh: sshFlags(values, transport),
    ...(ws === undefined ? {} : { ws }),
    sequential,
    display: values.display ?? false,
    ...(values.verbose === true ? { logLevel: 'trace' as const } : values.debug === true ? { logLevel: 'debug' as const } : {}),
    out: values.out ?? DEFAULT_OUT,
    ...(live === undefined ? {} : { live }),
    ...(launcher === undefined ? {} : { launcher: launcher.flags }),
  };
}
