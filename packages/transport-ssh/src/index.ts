/**
 * Hostgrid's SSH transport: a grid on machines reached over SSH (ssh2), with nothing
 * installed on them but Node.js. Host keys are checked against OpenSSH known_hosts.
 *
 * @example
 * ```ts
 * import { Grid } from '@hostgrid/core';
 * import { sshTransport } from '@hostgrid/transport-ssh';
 *
 * await using grid = await Grid.start({
 *   hosts: [{ name: 'node-1', slots: 4 }, { name: 'node-2', slots: 4, user: 'alice', port: 2222 }],
 *   transport: sshTransport({ user: 'alice', privateKey: '/home/alice/.ssh/id_ed25519' }),
 * });
 * ```
 *
 * @packageDocumentation
 */
export { sshTransport } from './ssh-transport.js';
export type { SshTransportOptions, SshHostFields } from './options.js';
export { HostKeyError, SshAuthError } from './errors.js';
export {
  parseKnownHosts,
  verifyHostKey,
  knownHostsName,
  knownHostsLine,
  hashName,
  keyTypeOf,
  knownKeyTypes,
  entryCovers,
  type KnownHostsEntry,
  type HostKeyVerdict,
} from './known-hosts.js';
