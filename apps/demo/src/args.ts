import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type ExchangeConfig, MAX_REPLICAS } from './config.js';
import { MIN_SIZE } from './ising.js';

/** The CLI's name, as users type it. */
export const PROGRAM = 'hostgrid-demo';

/** Transports the demo can run on today. */
export const TRANSPORTS = ['local'] as const;

/** One of {@link TRANSPORTS}. */
export type TransportName = (typeof TRANSPORTS)[number];

/** The command line, parsed and checked. */
export interface CliOptions {
  /** `--help` was given: print {@link USAGE} and do nothing else. */
  readonly help: boolean;
  /** The run's config, defaults filled in. */
  readonly config: ExchangeConfig;
  /** `--transport`. @defaultValue `'local'` */
  readonly transport: TransportName;
  /** `--sequential`: run in this process without a grid. */
  readonly sequential: boolean;
  /** `--display`: stream the workers' output. */
  readonly display: boolean;
  /** `--out DIR`: where to write `result.json`. */
  readonly out?: string;
}

/** A bad command line: the message is one line for people, naming the flag. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The `--help` text. */
export const USAGE = `Usage: ${PROGRAM} [options]

Replica-exchange Monte Carlo (parallel tempering) of a 2D Ising model on a Hostgrid,
one replica per server. With the same options the result is always the same.

Options:
  --replicas N     replicas = temperatures = servers, 2 to ${MAX_REPLICAS} (default ${DEFAULT_CONFIG.replicas})
  --rounds N       exchange rounds (default ${DEFAULT_CONFIG.rounds})
  --sweeps N       Metropolis sweeps per replica per round (default ${DEFAULT_CONFIG.sweeps})
  --size L         lattice side, L x L spins, at least ${MIN_SIZE} (default ${DEFAULT_CONFIG.size})
  --tmin T         lowest temperature (default ${DEFAULT_CONFIG.tmin})
  --tmax T         highest temperature; the ladder is geometric (default ${DEFAULT_CONFIG.tmax})
  --seed N         master seed, 0 to 4294967295 (default ${DEFAULT_CONFIG.seed})
  --transport NAME how workers are started: ${TRANSPORTS.join(', ')} (default local)
  --sequential     run in this process, without a grid (the reference result)
  --out DIR        write DIR/result.json
  --display        stream the workers' output, prefixed [host/slot]
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
  sequential: { type: 'boolean' },
  out: { type: 'string' },
  display: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function integer(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${flag} must be a whole number ${range}, got "${text}"`);
  }
  return value;
}

function temperature(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${flag} must be a positive number, got "${text}"`);
  return value;
}

/** The first sentence of node's parseArgs messages, which go on to explain `--`. */
function shorten(message: string): string {
  const first = message.split(/\.\s/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/**
 * Parses the command line (without `node` and the script).
 *
 * @throws {@link UsageError} for an unknown flag, a missing or bad value, or a transport
 *   that does not exist yet
 */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(shorten((error as Error).message));
  }
  const transport = values.transport ?? 'local';
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new UsageError(`transport ${transport} is not available yet (available: ${TRANSPORTS.join(', ')})`);
  }
  const big = Number.MAX_SAFE_INTEGER;
  const config: ExchangeConfig = {
    replicas: integer('replicas', values.replicas, DEFAULT_CONFIG.replicas, 2, MAX_REPLICAS),
    rounds: integer('rounds', values.rounds, DEFAULT_CONFIG.rounds, 1, big),
    sweeps: integer('sweeps', values.sweeps, DEFAULT_CONFIG.sweeps, 1, big),
    size: integer('size', values.size, DEFAULT_CONFIG.size, MIN_SIZE, 4096),
    tmin: temperature('tmin', values.tmin, DEFAULT_CONFIG.tmin),
    tmax: temperature('tmax', values.tmax, DEFAULT_CONFIG.tmax),
    seed: integer('seed', values.seed, DEFAULT_CONFIG.seed, 0, 4294967295),
  };
  if (config.tmax < config.tmin) {
    throw new UsageError(`--tmax (${config.tmax}) must not be lower than --tmin (${config.tmin})`);
  }
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out needs a folder name');
  return {
    help: values.help ?? false,
    config,
    transport: transport as TransportName,
    sequential: values.sequential ?? false,
    display: values.display ?? false,
    ...(values.out === undefined ? {} : { out: values.out }),
  };
}
