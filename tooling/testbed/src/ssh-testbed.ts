/**
 * The shape of an SSH test bed, as tests see it.
 */
import type { CommandResult } from './system.js';

/** One SSH host of a test bed. */
export interface SshHost {
  /** `h1`, `h2`, …; also the hostname its sshd sessions see. */
  readonly name: string;
  /** Its own address, `10.200.<index>.<10+k>`. */
  readonly address: string;
  readonly port: 22;
  /** Its network namespace, `hg<index>h<k>` (`ip netns exec <namespace> …`). */
  readonly namespace: string;
  /** The root-namespace end of its veth pair, `hg<index>v<k>`. */
  readonly veth: string;
  /** Its ed25519 host key, the base64 field of the `.pub` (what ssh2's `hostVerifier` compares). */
  readonly hostKey: string;
  /** Its host key's fingerprint, `SHA256:…`. */
  readonly hostKeyFingerprint: string;
}

/** A host, or its name. */
export type HostRef = SshHost | string;

/** Options of {@link startSshHosts}. */
export interface StartSshHostsOptions {
  /**
   * How many hosts.
   * @default 3
   */
  readonly count?: number;
  /**
   * A label for this test bed: part of its temp dir's name and of its bridge's alias, so
   * that leftovers can be traced to whoever made them. Letters, digits, `-` and `_`.
   * @default 'ssh'
   */
  readonly name?: string;
  /** sshd keywords to add or replace on every host, e.g. `{ ClientAliveInterval: '5' }`. */
  readonly sshdConfig?: Readonly<Record<string, string>>;
  /**
   * How long each sshd has to answer on port 22.
   * @default 10000
   */
  readonly readyTimeoutMs?: number;
}

/** What a command run inside a host left behind. */
export type ExecResult = CommandResult;

/**
 * A running SSH test bed. Dispose of it (`await using`) to remove everything it made.
 * Its methods throw `TestbedError` for an unknown host name and once it is torn down.
 */
export interface SshTestbed extends AsyncDisposable {
  readonly hosts: readonly SshHost[];
  /** Every host takes key logins for root. */
  readonly user: 'root';
  /** The client's ed25519 private key (no passphrase), listed in every host's authorized keys. */
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  /** Plain entries `10.200.x.y ssh-ed25519 AAAA…`, one per host. */
  readonly knownHostsPath: string;
  /** Host name → `SHA256:…` fingerprint of its host key. */
  readonly hostKeyFingerprints: Readonly<Record<string, string>>;
  /** The temp dir holding keys, configs and pid files; removed on dispose. */
  readonly dir: string;
  /** The bridge in the root namespace, `hgbr<index>`. */
  readonly bridge: string;
  /**
   * The root namespace's address on the bridge, `10.200.<index>.1`. Hosts cannot reach
   * this machine's 127.0.0.1: a controller that workers dial into listens here.
   */
  readonly bridgeAddress: string;
  /** `10.200.<index>.0/24`. */
  readonly subnet: string;
  /** Cuts the host off: its veth goes down; packets vanish silently (no FIN, no RST). */
  linkDown(host: HostRef): Promise<void>;
  /**
   * Brings the host's veth up again.
   * @param options.wait when true (the default) and its sshd runs, resolves once it
   *   answers TCP again (about 0.1 s); throws after 10 s.
   */
  linkUp(host: HostRef, options?: { readonly wait?: boolean }): Promise<void>;
  /**
   * SIGKILLs every process in the host's namespace except its sshd processes (listener
   * and sessions), until none is left; with `includeSshd`, sshd too: the host is dead
   * to its peers, whose connections close at once. {@link SshTestbed.startSshd} revives it.
   * @returns the pids killed.
   */
  killProcesses(host: HostRef, options?: { readonly includeSshd?: boolean }): Promise<number[]>;
  /** Starts the host's sshd again if it no longer runs, and waits until it answers. */
  startSshd(host: HostRef): Promise<void>;
  /** The pid of the host's sshd listener, or `undefined` when it does not run. */
  sshdPid(host: HostRef): number | undefined;
  /**
   * Runs a command inside the host's network namespace (`ip netns exec`), as root. A
   * string goes through `/bin/sh -c`; an array is run as is. Its processes are the
   * host's: `killProcesses` and teardown kill them. The UTS namespace is this machine's,
   * not the host's.
   */
  exec(host: HostRef, command: string | readonly string[], options?: { readonly timeoutMs?: number }): Promise<ExecResult>;
  /** Pids of every process in the host's network namespace (as `ip netns pids`). */
  pidsIn(host: HostRef): number[];
  /**
   * Tears down exactly what this test bed made: every process in its namespaces, the
   * namespaces, veths, bridge and temp dir. Idempotent; safe on a half-made test bed.
   * @throws TestbedError if something could not be removed (after trying everything).
   */
  [Symbol.asyncDispose](): Promise<void>;
}
