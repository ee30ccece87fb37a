import { readFile } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { HostgridError } from '@hostgrid/core';
import { HostKeyError, SshAuthError } from './errors.js';
import type { KnownHostsStore } from './known-hosts-store.js';
import type { HostKeyVerdict } from './known-hosts.js';
import type { HostSettings } from './options.js';

/** Host key types ssh2 can verify. */
const SUPPORTED_HOST_KEYS = new Set(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);

/** Keepalive timing, from the grid's heartbeat: a silent link is given up after `intervalMs × misses`. */
export interface Keepalive {
  readonly intervalMs: number;
  readonly misses: number;
}

/**
 * One SSH connection to a host: host key checked against known_hosts, Nagle off (ssh2
 * leaves it on, and every exec would stall ~40 ms on delayed ACKs), keepalives answered
 * by sshd itself, so a busy worker never looks dead but a vanished host does.
 */
export class HostConnection {
  readonly settings: HostSettings;
  readonly #client: Client;
  #sftp: Promise<SFTPWrapper> | undefined;
  #ended = false;
  readonly #closeListeners = new Set<(error: Error | undefined) => void>();
  #lastError: Error | undefined;

  private constructor(settings: HostSettings, client: Client) {
    this.settings = settings;
    this.#client = client;
    client.on('error', (error) => (this.#lastError = error));
    client.on('close', () => {
      this.#ended = true;
      for (const listener of this.#closeListeners) listener(this.#lastError);
    });
  }

  /** `user@address:port`, for messages. */
  get where(): string {
    return `${this.settings.user}@${this.settings.address}:${this.settings.port}`;
  }

  /**
   * Connects and logs in.
   *
   * @throws {@link HostKeyError} for an unknown, changed or revoked host key; {@link SshAuthError}
   *   when login is refused; a `HostgridError` naming the host when it cannot be reached
   */
  static async open(settings: HostSettings, keepalive: Keepalive, knownHosts: KnownHostsStore): Promise<HostConnection> {
    const label = `ssh host "${settings.name}" (${settings.address}:${settings.port})`;
    const privateKey = await loadKey(settings, label);
    const socket = await reach(settings, label);
    // An RSA key ("ssh-rsa" in known_hosts) is verified with the SHA-2 signature algorithms.
    const knownTypes = (await knownHosts.keyTypes(settings.address, settings.port).catch((): string[] => []))
      .flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]))
      .filter((type) => SUPPORTED_HOST_KEYS.has(type));
    const client = new Client();
    let refusal: HostKeyError | undefined;
    const verify = (key: Buffer, done: (ok: boolean) => void): void => {
      void (async () => {
        let verdict: HostKeyVerdict;
        try {
          verdict = await knownHosts.verify(settings.address, settings.port, key);
        } catch (error) {
          refusal = new HostKeyError({ host: settings.name, verdict: 'unknown', message: `${label}: cannot read ${knownHosts.path}: ${(error as Error).message}`, cause: error });
          return done(false);
        }
        if (verdict === 'match') return done(true);
        if (verdict === 'unknown' && settings.acceptNewHostKeys) {
          try {
            await knownHosts.record(settings.address, settings.port, key);
            return done(true);
          } catch (error) {
            refusal = new HostKeyError({ host: settings.name, verdict: 'unknown', message: `${label}: cannot record its key in ${knownHosts.path}: ${(error as Error).message}`, cause: error });
            return done(false);
          }
        }
        refusal = hostKeyError(label, settings, verdict, knownHosts.path);
        done(false);
      })();
    };
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', (error: Error & { level?: string }) => {
        socket.destroy();
        if (refusal !== undefined) return reject(refusal);
        if (error.level === 'client-authentication') {
          return reject(new SshAuthError({ host: settings.name, message: `${label} refused user "${settings.user}": ${error.message}; check "privateKey" (or the agent) and the host's authorized_keys`, cause: error }));
        }
        reject(new HostgridError({ host: settings.name, message: `${label}: ${error.message}`, cause: error }));
      });
      client.connect({
        sock: socket,
        // Ask for a key type the known_hosts file lists for the host, when it lists any.
        ...(knownTypes.length > 0 ? { algorithms: { serverHostKey: knownTypes as never } } : {}),
        username: settings.user,
        ...(privateKey === undefined ? {} : { privateKey }),
        ...(settings.passphrase === undefined ? {} : { passphrase: settings.passphrase }),
        ...(privateKey === undefined && settings.agent !== undefined ? { agent: settings.agent } : {}),
        hostVerifier: verify,
        keepaliveInterval: keepalive.intervalMs,
        keepaliveCountMax: keepalive.misses,
        readyTimeout: settings.connectTimeoutMs,
      });
    });
    return new HostConnection(settings, client);
  }

  /** Runs a command as a session whose stdin and stdout the caller owns (a worker). */
  exec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      try {
        this.#client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
      } catch (error) {
        // ssh2 throws at once when the connection is already gone.
        reject(error);
      }
    });
  }

  /** Runs a short command and collects its output. */
  async run(command: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
    const channel = await this.exec(command);
    channel.end();
    let stdout = '';
    let stderr = '';
    channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => channel.once('close', (code: number | null) => resolve({ stdout, stderr, code })));
  }

  /** The connection's SFTP session, opened on first use. */
  sftp(): Promise<SFTPWrapper> {
    this.#sftp ??= new Promise((resolve, reject) => {
      this.#client.sftp((error, sftp) => {
        if (error) {
          this.#sftp = undefined;
          return reject(error);
        }
        sftp.once('close', () => (this.#sftp = undefined));
        resolve(sftp);
      });
    });
    return this.#sftp;
  }

  /** Called once when the connection closes, with the error that closed it, if any. */
  onClose(listener: (error: Error | undefined) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Closes the connection; resolves when it has closed. */
  end(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.onClose(() => resolve());
      this.#client.end();
    });
  }
}

async function loadKey(settings: HostSettings, label: string): Promise<Buffer | string | undefined> {
  const key = settings.privateKey;
  if (key === undefined || Buffer.isBuffer(key) || key.includes('PRIVATE KEY')) return key;
  try {
    return await readFile(key);
  } catch (error) {
    throw new SshAuthError({ host: settings.name, message: `${label}: cannot read private key "${key}": ${(error as Error).message}`, cause: error });
  }
}

function reach(settings: HostSettings, label: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: settings.address, port: settings.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HostgridError({ host: settings.name, message: `${label} did not answer within ${settings.connectTimeoutMs} ms` }));
    }, settings.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new HostgridError({ host: settings.name, message: `cannot reach ${label}: ${error.message}`, cause: error }));
    });
  });
}

function hostKeyError(label: string, settings: HostSettings, verdict: 'unknown' | 'mismatch' | 'revoked', file: string): HostKeyError {
  const scan = `ssh-keyscan -p ${settings.port} ${settings.address} >> ${file}`;
  const message = {
    unknown: `${label} is not in ${file}: check its key fingerprint out of band, then add it (e.g. ${scan}), or set acceptNewHostKeys`,
    mismatch: `${label} presented a key that differs from the one in ${file}: the host was reinstalled, or someone is in the middle. Refused; if the change is expected, remove the old line (ssh-keygen -R ${settings.address}) and add the new key`,
    revoked: `${label} presented a key marked @revoked in ${file}: refused`,
  }[verdict];
  return new HostKeyError({ host: settings.name, verdict, message });
}
