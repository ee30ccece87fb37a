import { appendFile, readFile } from 'node:fs/promises';
import { knownHostsLine, parseKnownHosts, verifyHostKey, type HostKeyVerdict, type KnownHostsEntry } from './known-hosts.js';

/** One known_hosts file: read once, appended to when new keys are accepted. */
export class KnownHostsStore {
  readonly path: string;
  #entries: Promise<KnownHostsEntry[]> | undefined;
  #appending: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** What the file says about `key` for `host` on `port`. A missing file lists no host. */
  async verify(host: string, port: number, key: Buffer): Promise<HostKeyVerdict> {
    return verifyHostKey(await this.#load(), host, port, key);
  }

  /** Records a newly accepted key (hashed), in the file and in memory. */
  async record(host: string, port: number, key: Buffer): Promise<void> {
    const line = knownHostsLine(host, port, key);
    const entries = await this.#load();
    entries.push(...parseKnownHosts(line));
    this.#appending = this.#appending.then(() => appendFile(this.path, `${line}\n`, { mode: 0o600 }));
    await this.#appending;
  }

  #load(): Promise<KnownHostsEntry[]> {
    this.#entries ??= readFile(this.path, 'utf8').then(parseKnownHosts, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return this.#entries;
  }
}
