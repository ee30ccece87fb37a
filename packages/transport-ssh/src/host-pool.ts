import { HostConnection, type Keepalive } from './host-connection.js';
import type { KnownHostsStore } from './known-hosts-store.js';
import type { HostSettings } from './options.js';

interface Entry {
  readonly connection: Promise<HostConnection>;
  /** Worker sessions handed out on it, counted from the moment they are promised. */
  reserved: number;
}

/**
 * The SSH connections to one host: a worker session goes on a connection with room,
 * else on a new one. sshd allows `sessionsPerConnection` sessions on each; one is always
 * kept free, for SFTP and the short command of a cleanup, which use the first connection.
 * A connection that fails or closes leaves the pool, so the next request connects afresh.
 */
export class HostPool {
  readonly settings: HostSettings;
  readonly #knownHosts: KnownHostsStore;
  readonly #entries: Entry[] = [];

  constructor(settings: HostSettings, knownHosts: KnownHostsStore) {
    this.settings = settings;
    this.#knownHosts = knownHosts;
  }

  /** A connection with room for one more worker session, and the release of that room. */
  async reserve(keepalive: Keepalive): Promise<{ connection: HostConnection; release: () => void }> {
    const capacity = this.settings.sessionsPerConnection - 1;
    const entry = this.#entries.find((candidate) => candidate.reserved < capacity) ?? this.#open(keepalive);
    entry.reserved++;
    const held = entry;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      held.reserved--;
    };
    try {
      return { connection: await entry.connection, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The connection for files and short commands (the first one; opened if need be). */
  async main(keepalive: Keepalive): Promise<HostConnection> {
    const entry = this.#entries[0] ?? this.#open(keepalive);
    return entry.connection;
  }

  /** Closes every connection. */
  async end(): Promise<void> {
    const entries = this.#entries.splice(0);
    await Promise.all(entries.map((entry) => entry.connection.then((connection) => connection.end(), () => undefined)));
  }

  #open(keepalive: Keepalive): Entry {
    const connection = HostConnection.open(this.settings, keepalive, this.#knownHosts);
    const entry: Entry = { connection, reserved: 0 };
    this.#entries.push(entry);
    const forget = (): void => {
      const at = this.#entries.indexOf(entry);
      if (at >= 0) this.#entries.splice(at, 1);
    };
    connection.then((open) => open.onClose(forget), forget);
    return entry;
  }
}
