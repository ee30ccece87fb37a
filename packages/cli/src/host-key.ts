import { createHash } from 'node:crypto';
import { keyTypeOf, knownHostsName, knownKeyTypes, verifyHostKey, type HostKeyVerdict, type KnownHostsEntry } from '@hostgrid/transport-ssh';
import { HostCheckError } from './check-failure.js';

/** Host key algorithms ssh2 can verify, as the SSH transport asks for them. */
const SUPPORTED = new Set(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);

/**
 * The host key algorithms to ask a host for: those its known_hosts entries list (an
 * `ssh-rsa` key is verified with the SHA-2 signatures), so that a host holding several
 * keys presents the one on file, as the SSH transport does. Empty: take the server's choice.
 */
export function hostKeyAlgorithms(entries: readonly KnownHostsEntry[], address: string, port: number): string[] {
  return knownKeyTypes(entries, address, port)
    .flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]))
    .filter((type) => SUPPORTED.has(type));
}

/** OpenSSH's fingerprint of a raw key blob: `SHA256:` and the unpadded base64 of its SHA-256. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Where a host is, and the known_hosts file its key is checked against. */
export interface HostKeyContext {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** The known_hosts file's path, for messages. */
  readonly file: string;
}

/**
 * What the known_hosts entries say about the key a host presented.
 *
 * @returns the key's type and fingerprint, when it is on file
 * @throws {@link HostCheckError} (step `host key`) when the key is unknown, differs from the one on file, or is revoked:
 *   the message gives the fingerprint and the command that adds it after checking it
 */
export function checkHostKey(entries: readonly KnownHostsEntry[], key: Buffer, where: HostKeyContext): { type: string; fingerprint: string } {
  const verdict: HostKeyVerdict = verifyHostKey(entries, where.address, where.port, key);
  const type = keyTypeOf(key);
  const print = fingerprint(key);
  if (verdict === 'match') return { type, fingerprint: print };
  const short = shortType(type);
  const subject = `host key of ${knownHostsName(where.address, where.port)} (${type} ${print})`;
  const add = `after checking that fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_${short}_key.pub there), run ssh-keyscan -p ${where.port} -t ${short} ${where.address} >> ${where.file}`;
  const failure = {
    unknown: { problem: `${subject} is not in ${where.file}`, fix: add },
    mismatch: {
      problem: `${subject} differs from the one in ${where.file}`,
      fix: `the host was reinstalled, or someone is in the middle: if the change is expected, remove the old key (ssh-keygen -R ${knownHostsName(where.address, where.port)} -f ${where.file}), then ${add}`,
    },
    revoked: { problem: `${subject} is marked @revoked in ${where.file}`, fix: 'refused: the host needs a new host key' },
  }[verdict];
  throw new HostCheckError({ host: where.name, step: 'host key', ...failure });
}

/** `ed25519`, `ecdsa` or `rsa`: the name `ssh-keyscan -t` and sshd's key files use. */
function shortType(type: string): string {
  if (type.startsWith('ecdsa-')) return 'ecdsa';
  if (type === 'ssh-rsa' || type.startsWith('rsa-')) return 'rsa';
  return type.replace(/^ssh-/, '');
}
