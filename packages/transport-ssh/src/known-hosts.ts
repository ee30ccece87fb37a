import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** One usable line of an OpenSSH `known_hosts` file. */
export interface KnownHostsEntry {
  /** `revoked` lines name keys that must never be accepted; `cert-authority` lines are not used for plain host keys. */
  readonly marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field: comma-separated patterns, or one hashed `|1|salt|hash` name. */
  readonly hosts: string;
  /** The key type, e.g. `ssh-ed25519`. */
  readonly keyType: string;
  /** The key blob as the server sends it (the base64 field, decoded). */
  readonly key: Buffer;
  /** 1-based line number, for messages. */
  readonly line: number;
}

/** What a known_hosts file says about a host's key. */
export type HostKeyVerdict =
  /** The key is listed for the host. */
  | 'match'
  /** The host is not listed at all. */
  | 'unknown'
  /** The host is listed, with other keys: the key changed, or someone is in the middle. */
  | 'mismatch'
  /** The key is marked `@revoked`. */
  | 'revoked';

/**
 * Parses an OpenSSH known_hosts file. Comments, blank lines and lines that cannot be
 * read are skipped (as OpenSSH does).
 */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostsEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hosts, keyType, key64] = fields;
    if (hosts === undefined || keyType === undefined || key64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(key64)) return;
    entries.push({ marker, hosts, keyType, key: Buffer.from(key64, 'base64'), line: index + 1 });
  });
  return entries;
}

/** The name a host is listed under: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether an entry's host field covers `name` (plain patterns with `*`, `?` and `!`, or a hashed name). */
export function entryCovers(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hosts.startsWith('|1|')) return hashedCovers(entry.hosts, name);
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    const negated = pattern.startsWith('!');
    if (wildcard(negated ? pattern.slice(1) : pattern, name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * What the known_hosts entries say about `key` (the raw blob a server presented) for
 * `host` on `port`.
 */
export function verifyHostKey(entries: readonly KnownHostsEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port).toLowerCase();
  const same = (entry: KnownHostsEntry): boolean => entry.key.length === key.length && timingSafeEqual(entry.key, key);
  // A revocation wins wherever it stands in the file.
  if (entries.some((entry) => entry.marker === 'revoked' && same(entry) && entryCovers(entry, name))) return 'revoked';
  // Keys of other types say nothing about this one (the server may hold several): only a
  // listed key of the same type that differs is a mismatch.
  const type = keyTypeOf(key);
  let listed = false;
  for (const entry of entries) {
    if (entry.marker !== undefined || !entryCovers(entry, name)) continue;
    if (same(entry)) return 'match';
    if (entry.keyType === type) listed = true;
  }
  return listed ? 'mismatch' : 'unknown';
}

/** The key types listed for `host` on `port` (so that a client asks the server for one of those). */
export function knownKeyTypes(entries: readonly KnownHostsEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port).toLowerCase();
  return [...new Set(entries.filter((entry) => entry.marker === undefined && entryCovers(entry, name)).map((entry) => entry.keyType))];
}

/** The key type inside a raw key blob (its first SSH string), e.g. `ssh-ed25519`. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return length > 0 && 4 + length <= key.length ? key.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

/** A known_hosts line for a host's key, hashed (`|1|salt|hash`) unless `hashed` is false. */
export function knownHostsLine(host: string, port: number, key: Buffer, hashed = true): string {
  const name = knownHostsName(host, port);
  return `${hashed ? hashName(name) : name} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

/** OpenSSH's hashed host name: `|1|` base64(salt) `|` base64(HMAC-SHA1(salt, name)). */
export function hashName(name: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

function hashedCovers(field: string, name: string): boolean {
  const [, , salt64, hash64] = field.split('|');
  if (salt64 === undefined || hash64 === undefined) return false;
  const expected = Buffer.from(hash64, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt64, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** OpenSSH's host pattern match: `*` any run, `?` one character, nothing else special. */
function wildcard(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(name);
}
