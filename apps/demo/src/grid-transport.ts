import type { HostSpec, Transport } from '@hostgrid/core';
import type { SshFlags, TransportName } from './args.js';
import type { WsFlags } from './ws-args.js';
import type { HostEntry } from './hosts.js';

/** A transport and the hosts to give `Grid.start`, from the command line. */
export interface GridTarget {
  /** For `Grid.start`'s `transport`. */
  readonly transport: Transport;
  /** For `Grid.start`'s `hosts`. */
  readonly hosts: HostSpec[];
  /** Lines to show before the grid starts (for `ws`: the command each host runs to dial in). */
  readonly notice?: readonly string[];
}

/** What {@link gridTarget} needs besides the transport's name and the hosts. */
export interface TargetSettings {
  /** Settings of `--transport ssh`. */
  readonly ssh: SshFlags;
  /** Settings of `--transport ws`. */
  readonly ws?: WsFlags | undefined;
  /** The output folder (a token the demo makes for `ws` is written there). */
  readonly outDir: string;
}

/**
 * Makes the transport the command line names, loading its package only now (so that a
 * local run never loads `ssh2` or `ws`), and the host specs: `{ name, slots }`, plus
 * `address` for an SSH host given as `name=address`.
 */
export async function gridTarget(name: TransportName, hosts: readonly HostEntry[], settings: TargetSettings): Promise<GridTarget> {
  const specs = hosts.map((host): HostSpec => ({ name: host.name, slots: host.slots, ...(host.address === undefined ? {} : { address: host.address }) }));
  if (name === 'local') {
    const { localTransport } = await import('@hostgrid/transport-local');
    return { transport: localTransport(), hosts: specs };
  }
  if (name === 'ws') {
    if (settings.ws === undefined) throw new TypeError('gridTarget: --transport ws needs its settings');
    const { wsTarget } = await import('./ws-target.js');
    return wsTarget(settings.ws, specs, settings.outDir);
  }
  const { ssh } = settings;
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
