/**
 * Hostgrid's SSH transport (in progress): reaching hosts over SSH with ssh2. This first
 * part checks host keys against OpenSSH `known_hosts` files, plain and hashed.
 *
 * @example
 * ```ts
 * import { parseKnownHosts, verifyHostKey } from '@hostgrid/transport-ssh';
 *
 * const entries = parseKnownHosts(await readFile(`${homedir()}/.ssh/known_hosts`, 'utf8'));
 * verifyHostKey(entries, 'node-1', 22, presentedKey); // 'match' | 'unknown' | 'mismatch' | 'revoked'
 * ```
 *
 * @packageDocumentation
 */
export {
  parseKnownHosts,
  verifyHostKey,
  knownHostsName,
  knownHostsLine,
  hashName,
  keyTypeOf,
  entryCovers,
  type KnownHostsEntry,
  type HostKeyVerdict,
} from './known-hosts.js';
