import type { HostSpec, Transport } from '@hostgrid/core';
import type { SshFlags, TransportName } from './args.js';
import type { HostEntry } from './hosts.js';

/** A transport and the hosts to give `Grid.start`, from the command line. */
export interface GridTarget {
  /** For `Grid.start`'s `transport`. */
  readonly transport: Transport;
  /** For `Grid.start`'s `hosts`. */
  readonly hosts: HostSpec[];
}

/**
 * Makes the transport the command line names, loading its package only now (so that a
 * local run never loads `ssh2`), and the host specs: `{ name, slots }`, plus `address`
 * for an SSH host given as `name=address`.
 */
export async function gridTarget(name: TransportName, hosts: readonly HostEntry[], ssh: SshFlags): Promise<GridTarget> {
  const specs = hosts.map((host): HostSpec => ({ name: host.name, slots: host.slots, ...(host.address === undefined ? {} : { address: host.address }) }));
  if (name === 'local') {
    const { localTransport } = await import('@hostgrid/transport-local');
    return { transport: localTransport(), hosts: specs };
  }
  const { sshTransport } = await import('@hostgrid/transport-ssh');
  const transport = sshTransport({
    ...(ssh.user === undefined ? {} : { user: ssh.user }),
    ...(ssh.key === undefined ? {} : { privateKey: ssh.key }),
    ...(ssh.knownHosts === undefined ? {} : { knownHosts: ssh.knownHosts }),
    ...(ssh.port === undefined ? {} : { port: ssh.port }),
    ...(ssh.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: ssh.connectTimeoutMs }),
    acceptNewHostKeys: ssh.acceptNewHostKeys,
  });
  return { transport, hosts: specs };
}
