/** `--transport ws`: the controller's endpoint, which the hosts' agents dial. */
export interface WsFlags {
  /** `--listen HOST:PORT`: where the controller listens. @defaultValue {@link DEFAULT_LISTEN} */
  readonly host: string;
  readonly port: number;
  /** `--token-file`: the grid's token (its first line); else `HOSTGRID_TOKEN`, else a new one written to the output folder. */
  readonly tokenFile?: string;
  /** `--tls-cert` and `--tls-key`: serve `wss://` with this PEM certificate and key. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** `--join-timeout`, in ms: how long to wait for every host's agent. */
  readonly joinTimeoutMs: number;
}

/** Where the controller listens unless `--listen` says otherwise: every address, so that other machines can dial in. */
export const DEFAULT_LISTEN = { host: '0.0.0.0', port: 7000 } as const;

/** How long the demo waits for the hosts' agents unless `--join-timeout` says otherwise, in seconds. */
export const DEFAULT_JOIN_TIMEOUT_S = 300;

/** The command-line options of `--transport ws`, for node's parseArgs. */
export const WS_OPTIONS = {
  listen: { type: 'string' },
  'token-file': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'join-timeout': { type: 'string' },
} as const;

/** The flags {@link wsFlags} looks at, as parseArgs gives them. */
export interface WsValues {
  readonly listen?: string | undefined;
  readonly 'token-file'?: string | undefined;
  readonly 'tls-cert'?: string | undefined;
  readonly 'tls-key'?: string | undefined;
  readonly 'join-timeout'?: string | undefined;
}

const WS_FLAGS = ['listen', 'token-file', 'tls-cert', 'tls-key', 'join-timeout'] as const;

/**
 * Reads the flags of `--transport ws`, refusing them with any other transport.
 *
 * @returns the flags, or `undefined` for another transport
 */
export function wsFlags(values: WsValues, transport: string, refuse: (message: string) => Error): WsFlags | undefined {
  if (transport !== 'ws') {
    const stray = WS_FLAGS.find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw refuse(`--${stray} is only for --transport ws`);
    return undefined;
  }
  let { host, port }: { host: string; port: number } = DEFAULT_LISTEN;
  if (values.listen !== undefined) {
    const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(values.listen);
    const parsed = match === null ? Number.NaN : Number(match[2]);
    if (match === null || !(parsed <= 65_535)) throw refuse(`--listen needs HOST:PORT (e.g. 0.0.0.0:7000; port 0 takes any free one), got "${values.listen}"`);
    host = match[1]!.replace(/^\[|\]$/g, '');
    port = parsed;
  }
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw refuse('--tls-cert and --tls-key go together');
  for (const [flag, value] of [['token-file', values['token-file']], ['tls-cert', cert], ['tls-key', key]] as const) {
    if (value !== undefined && value.trim() === '') throw refuse(`--${flag} needs a file`);
  }
  const timeout = values['join-timeout'];
  const seconds = timeout === undefined ? DEFAULT_JOIN_TIMEOUT_S : /^\d+(\.\d+)?$/.test(timeout) ? Number(timeout) : Number.NaN;
  if (!(seconds > 0 && seconds <= 86_400)) throw refuse(`--join-timeout must be a positive number of seconds up to 86400, got "${timeout}"`);
  const tokenFile = values['token-file'];
  return {
    host,
    port,
    ...(tokenFile === undefined ? {} : { tokenFile }),
    ...(cert === undefined || key === undefined ? {} : { tls: { cert, key } }),
    joinTimeoutMs: Math.ceil(seconds * 1000),
  };
}
