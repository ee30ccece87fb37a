import { checkDurationMs, type ResolvedHost } from '@hostgrid/core';
import { DEFAULT_MAX_FRAME_BYTES } from '@hostgrid/protocol';

/** Options of {@link sshTransport}; every one may be overridden per host in its `HostSpec`. */
export interface SshTransportOptions {
  /** The login user. @defaultValue the `USER` of this process */
  readonly user?: string;
  /** The SSH port. @defaultValue 22 */
  readonly port?: number;
  /** A private key: a path to an OpenSSH key file, or its contents. @defaultValue the agent at `SSH_AUTH_SOCK` */
  readonly privateKey?: string | Buffer;
  /** Passphrase of an encrypted `privateKey`. */
  readonly passphrase?: string;
  /** An ssh-agent socket. @defaultValue `SSH_AUTH_SOCK` */
  readonly agent?: string;
  /** The OpenSSH known_hosts file host keys are checked against. @defaultValue `~/.ssh/known_hosts` */
  readonly knownHosts?: string;
  /**
   * Accept a host that is not in `knownHosts` and record its key there (hashed), as
   * OpenSSH's `StrictHostKeyChecking=accept-new`. A changed key is refused regardless.
   * @defaultValue false
   */
  readonly acceptNewHostKeys?: boolean;
  /** Worker sessions per SSH connection (OpenSSH's `MaxSessions` is 10 by default). @defaultValue 10 */
  readonly sessionsPerConnection?: number;
  /** How long connecting and authenticating may take, in ms. @defaultValue 20000 */
  readonly connectTimeoutMs?: number;
  /** The hosts see this machine's files at the same paths (a shared file system). @defaultValue false */
  readonly sharedFileSystem?: boolean;
  /**
   * The largest frame body on a worker's channel, both ways: the grid refuses to send a
   * larger call or state, a worker a larger result (each with a `SerializationError`).
   * @defaultValue `DEFAULT_MAX_FRAME_BYTES` (256 MiB)
   */
  readonly maxFrameBytes?: number;
}

/** The per-host fields an SSH host spec may carry (`{ name, address?, user?, port?, … }`). */
export interface SshHostFields extends SshTransportOptions {
  /** Where to connect, when the host's `name` is not its address (or not resolvable). @defaultValue `name` */
  readonly address?: string;
}

/** Settings for one host, options and its spec merged. */
export interface HostSettings {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: string | Buffer | undefined;
  readonly passphrase: string | undefined;
  readonly agent: string | undefined;
  readonly knownHosts: string;
  readonly acceptNewHostKeys: boolean;
  readonly sessionsPerConnection: number;
  readonly connectTimeoutMs: number;
  readonly sharedFileSystem: boolean;
  readonly maxFrameBytes: number;
}

/**
 * Merges a host's own fields over the transport's options.
 *
 * @throws TypeError naming the host and the field when a value is malformed; RangeError for a
 *   negative (or NaN) `connectTimeoutMs`
 */
export function hostSettings(host: ResolvedHost, options: SshTransportOptions, home: string, user: string | undefined): HostSettings {
  const spec = host as ResolvedHost & SshHostFields;
  const pick = <K extends keyof SshHostFields>(key: K): SshHostFields[K] => (spec[key] !== undefined ? spec[key] : (options as SshHostFields)[key]);
  const where = `[hostgrid] ssh host "${host.name}"`;
  const port = pick('port') ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new TypeError(`${where}: "port" must be an integer from 1 to 65535`);
  const login = pick('user') ?? user;
  if (login === undefined || login === '') throw new TypeError(`${where}: no "user" given and USER is not set`);
  const sessions = pick('sessionsPerConnection') ?? 10;
  if (!Number.isInteger(sessions) || sessions < 2) throw new TypeError(`${where}: "sessionsPerConnection" must be an integer >= 2`);
  const maxFrameBytes = pick('maxFrameBytes') ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1) throw new TypeError(`${where}: "maxFrameBytes" must be a positive integer`);
  const connectTimeoutMs = pick('connectTimeoutMs') ?? 20_000;
  checkDurationMs(connectTimeoutMs, `ssh host "${host.name}": "connectTimeoutMs"`);
  return {
    name: host.name,
    address: pick('address') ?? host.name,
    port,
    user: login,
    privateKey: pick('privateKey'),
    passphrase: pick('passphrase'),
    agent: pick('agent') ?? process.env['SSH_AUTH_SOCK'],
    knownHosts: pick('knownHosts') ?? `${home}/.ssh/known_hosts`,
    acceptNewHostKeys: pick('acceptNewHostKeys') ?? false,
    sessionsPerConnection: sessions,
    connectTimeoutMs,
    sharedFileSystem: pick('sharedFileSystem') ?? false,
    maxFrameBytes,
  };
}
