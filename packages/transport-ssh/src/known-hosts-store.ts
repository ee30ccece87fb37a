import { appendFile, readFile } from 'node:fs/promises';
import { knownHostsLine, knownKeyTypes, parseKnownHosts, verifyHostKey, type HostKeyVerdict, type KnownHostsEntry } from './known-hosts.js';

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

  /** The key types the file lists for a host. */
  async keyTypes(host: string, port: number): Promise<string[]> {
    return knownKeyTypes(await this.#load(), host, port);
  }

  /** Records a newly accepted key (hashed), in the file and in memory. */
  async record(host: string, port: number, key: Buffer): Promise<void> {
    const line = knownHostsLine(host, port, key);
    const entries = await this.#load();
    // One append after the other; a failed one does not fail the next.
    const append = this.#appending.then(() => appendFile(this.path, `${line}\n`, { mode: 0o600 }));
    this.#appending = append.catch(() => undefined);
    await append;
    entries.push(...parseKnownHosts(line));
  }

  #load(): Promise<KnownHostsEntry[]> {
    this.#entries ??= readFile(this.path, 'utf8').then(parseKnownHosts, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return this.#entries;
  }
}
