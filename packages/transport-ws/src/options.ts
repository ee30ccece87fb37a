import { randomBytes } from 'node:crypto';
import { DEFAULT_MAX_FRAME_BYTES } from '@hostgrid/protocol';

/** Options of {@link wsTransport}. */
export interface WsTransportOptions {
  /** Where the controller listens. Hosts in other network namespaces or machines need an address they can reach (or `0.0.0.0`). */
  readonly listen: { readonly host?: string; readonly port?: number };
  /**
   * The grid's secret: every host agent and slot worker proves it holds it (HMAC on a
   * fresh challenge, so the token never crosses the wire). At least 16 characters;
   * {@link generateToken} makes a good one.
   */
  readonly token: string;
  /** Serve `wss://` with this certificate and key (PEM). Workers verify it against their `--ca`. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /**
   * The largest WebSocket message accepted; a larger one closes that connection with 1009.
   * A slot's frame bodies are held to this less their 4-byte header, both ways: the grid
   * refuses to send a larger call or state, a worker a larger result (each with a
   * `SerializationError`). @defaultValue 256 MiB + 64
   */
  readonly maxFrameBytes?: number;
  /** How long `files(host)` and `spawn` wait for a host's agent to join, in ms. @defaultValue 60000 */
  readonly joinTimeoutMs?: number;
  /** Accept agents of hosts the grid was not given, and announce them through `watchHosts` (elastic growth). @defaultValue false */
  readonly dynamic?: boolean;
  /**
   * How long a new connection has to make its WebSocket upgrade (from its accept), and
   * then to complete its join, before it is dropped, in ms. @defaultValue 5000
   */
  readonly authTimeoutMs?: number;
  /**
   * How many connections may wait to make their upgrade at once (more are destroyed as
   * they are accepted), and how many may wait to authenticate once upgraded (more are
   * refused with HTTP 503). @defaultValue 64
   */
  readonly maxPendingJoins?: number;
}

/** Options with their defaults. */
export interface ResolvedWsOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly tls: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  readonly maxFrameBytes: number;
  readonly joinTimeoutMs: number;
  readonly dynamic: boolean;
  readonly authTimeoutMs: number;
  readonly maxPendingJoins: number;
}

/** A new random token: 32 bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Checks the options and fills in defaults.
 *
 * @throws TypeError naming the option that is wrong; RangeError naming a number option
 *   out of its range (a negative or NaN `authTimeoutMs`, say)
 */
export function resolveOptions(options: WsTransportOptions): ResolvedWsOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('[hostgrid] wsTransport needs an options object: { listen: { host, port }, token }');
  const { listen, token } = options;
  if (typeof listen !== 'object' || listen === null) throw new TypeError('[hostgrid] wsTransport: "listen" must be { host?, port? }, e.g. { host: "0.0.0.0", port: 7000 }');
  if (typeof token !== 'string' || token.length < 16) {
    throw new TypeError('[hostgrid] wsTransport: "token" must be a string of at least 16 characters (generateToken() makes one); workers get it through HOSTGRID_TOKEN or --token-file');
  }
  const port = listen.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`[hostgrid] wsTransport: "listen.port" must be an integer from 0 to 65535, got ${String(listen.port)}`);
  if (listen.host !== undefined && (typeof listen.host !== 'string' || listen.host === '')) throw new TypeError('[hostgrid] wsTransport: "listen.host" must be a non-empty string');
  if (options.tls !== undefined && (options.tls.cert === undefined || options.tls.key === undefined)) {
    throw new TypeError('[hostgrid] wsTransport: "tls" needs both "cert" and "key" (PEM contents)');
  }
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number') throw new TypeError(`[hostgrid] wsTransport: "${name}" must be a positive integer, got ${typeof value}`);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`[hostgrid] wsTransport: "${name}" must be a positive integer, got ${String(value)}`);
    return value;
  };
  return {
    host: listen.host ?? '127.0.0.1',
    port,
    token,
    tls: options.tls,
    maxFrameBytes: positive('maxFrameBytes', options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES + 64),
    joinTimeoutMs: positive('joinTimeoutMs', options.joinTimeoutMs, 60_000),
    dynamic: options.dynamic === true,
    authTimeoutMs: positive('authTimeoutMs', options.authTimeoutMs, 5000),
    maxPendingJoins: positive('maxPendingJoins', options.maxPendingJoins, 64),
  };
}
