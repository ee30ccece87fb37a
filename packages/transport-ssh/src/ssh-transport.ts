import { homedir, userInfo } from 'node:os';
import type { Channel, ChannelHandlers, HostFiles, ResolvedHost, SpawnRequest, Transport } from '@hostgrid/core';
import { HostgridError, workerCommand } from '@hostgrid/core';
import type { Keepalive } from './host-connection.js';
import { HostPool } from './host-pool.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { hostSettings, type SshTransportOptions } from './options.js';
import { sftpFiles } from './sftp-files.js';
import { SshChannel } from './ssh-channel.js';
import { workerCommandLine } from './shell.js';

/** Keepalive for connections made before any worker asked (files at start): the grid's defaults. */
const DEFAULT_KEEPALIVE = { intervalMs: 1000, misses: 10 };

/**
 * A transport whose hosts are reached over SSH (ssh2), needing nothing on them but
 * Node.js: one connection per host (more when its slots exceed `sessionsPerConnection`),
 * one exec channel per slot running the staged worker with frames on its stdin and
 * stdout, SFTP for staging. Host keys are checked against an OpenSSH known_hosts file.
 *
 * Failure semantics: `spawn` rejects with `HostKeyError` for an unknown, changed or
 * revoked host key, `SshAuthError` when login is refused, or a `HostgridError` naming
 * the host when it cannot be reached. A running channel is reported closed when its
 * worker exits, when it is killed, or when its connection is lost: keepalives answered
 * by sshd (not by the worker, which may be busy) give a silent link up after the grid's
 * heartbeat `intervalMs × misses`.
 */
export function sshTransport(options: SshTransportOptions = {}): Transport {
  return new SshTransport(options);
}

class SshTransport implements Transport {
  readonly name = 'ssh';
  readonly #options: SshTransportOptions;
  readonly #pools = new Map<string, HostPool>();
  readonly #knownHosts = new Map<string, KnownHostsStore>();
  readonly #channels = new Set<Channel>();
  #closed = false;

  constructor(options: SshTransportOptions) {
    this.#options = options;
  }

  async spawn(request: SpawnRequest, handlers: ChannelHandlers): Promise<Channel> {
    const { host, slot, signal } = request;
    const what = `ssh worker for host "${host.name}" slot ${slot}`;
    if (this.#closed) throw new HostgridError({ host: host.name, slot, message: `${what} could not start: the SSH transport is closed` });
    signal.throwIfAborted();
    const pool = this.#pool(host);
    const { connection, release } = await pool.reserve(request.heartbeat);
    try {
      signal.throwIfAborted();
      const command = workerCommandLine(workerCommand(request, { defaultNode: 'node' }));
      const stream = await connection.exec(command);
      stream.once('close', release);
      const channel = new SshChannel(stream, handlers, connection, pool.settings.maxFrameBytes);
      this.#channels.add(channel);
      stream.once('close', () => this.#channels.delete(channel));
      return channel;
    } catch (error) {
      release();
      throw error;
    }
  }

  files(host: ResolvedHost, link: Keepalive = DEFAULT_KEEPALIVE): HostFiles {
    const pool = this.#pool(host);
    // The first connection, made here for staging, carries workers later: it watches the
    // link with the grid's own heartbeat timing. A closed transport opens nothing more.
    return sftpFiles(
      host.name,
      () => (this.#closed ? Promise.reject(new HostgridError({ host: host.name, message: `ssh host "${host.name}": the SSH transport is closed` })) : pool.main(link)),
      pool.settings.sharedFileSystem,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const channel of this.#channels) channel.kill();
    await Promise.all([...this.#pools.values()].map((pool) => pool.end()));
  }

  #pool(host: ResolvedHost): HostPool {
    let pool = this.#pools.get(host.name);
    if (pool === undefined) {
      const settings = hostSettings(host, this.#options, homedir(), process.env['USER'] ?? safeUser());
      let store = this.#knownHosts.get(settings.knownHosts);
      if (store === undefined) {
        store = new KnownHostsStore(settings.knownHosts);
        this.#knownHosts.set(settings.knownHosts, store);
      }
      pool = new HostPool(settings, store);
      this.#pools.set(host.name, pool);
    }
    return pool;
  }
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
