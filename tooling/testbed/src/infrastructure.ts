/**
 * What the SSH test bed needs from the machine, checked up front so that a missing
 * package is one clear error rather than a failure half way through.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Requirements } from './requirements.js';

/** Absolute paths of the tools the SSH test bed runs, and what it learnt about sshd. */
export interface SshInfrastructure {
  /** `/usr/sbin/sshd` (openssh-server). */
  readonly sshd: string;
  /** `ssh-keygen` (openssh-client). */
  readonly sshKeygen: string;
  /** `ip` (iproute2). */
  readonly ip: string;
  /** `unshare` (util-linux). */
  readonly unshare: string;
  /** `hostname` (hostname, essential on Debian). */
  readonly hostname: string;
  /** sshd's version, e.g. `[9, 2]`. */
  readonly sshdVersion: readonly [major: number, minor: number];
  /**
   * Whether the hosts' sshd runs with `UsePAM yes`: needed when root's password is locked
   * with `!` in /etc/shadow, which sshd without PAM takes as "account locked".
   */
  readonly usePam: boolean;
}

/** sshd must be this exact path: sshd refuses to re-execute itself from a relative one. */
const SSHD = '/usr/sbin/sshd';

function sshdVersion(): [number, number] {
  // `sshd -V` is not an option in every release, but all of them print their version
  // in the usage or error text.
  const result = spawnSync(SSHD, ['-V'], { encoding: 'utf8' });
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

function rootPasswordLocked(): boolean {
  try {
    const entry = readFileSync('/etc/shadow', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('root:'));
    return entry?.split(':')[1]?.startsWith('!') ?? false;
  } catch {
    return false;
  }
}

let cached: SshInfrastructure | undefined;

/**
 * Checks that this machine can stand up SSH hosts: `/usr/sbin/sshd`, `ssh-keygen`, `ip`,
 * `unshare`, `hostname`, and that this process runs as root (network namespaces,
 * bridges and a second sshd need it). There is no skip: a test that needs the test bed
 * fails when it is missing, in CI and locally alike.
 *
 * @returns the tools' absolute paths and how sshd must be configured on this machine.
 * @throws MissingInfrastructureError naming everything that is missing and the
 *   `apt-get install` line (or `tooling/testbed/scripts/provision.sh`) that fixes it.
 */
export function requireSshInfrastructure(): SshInfrastructure {
  if (cached) return cached;
  const needs = new Requirements('provision.sh');
  needs.executable(SSHD, 'openssh-server');
  const sshKeygen = needs.command('ssh-keygen', 'openssh-client');
  const ip = needs.command('ip', 'iproute2');
  const unshare = needs.command('unshare', 'util-linux');
  const hostname = needs.command('hostname', 'hostname');
  needs.check();
  cached = { sshd: SSHD, sshKeygen, ip, unshare, hostname, sshdVersion: sshdVersion(), usePam: rootPasswordLocked() };
  return cached;
}
