/**
 * What the SLURM test bed needs from the machine, checked up front so that a missing
 * package is one clear error rather than a failure half way through.
 */
import { readFileSync } from 'node:fs';
import { Requirements } from './requirements.js';

/** Absolute paths of the programs the SLURM test bed runs. */
export interface SlurmInfrastructure {
  /** `/usr/sbin/slurmctld` (slurmctld). */
  readonly slurmctld: string;
  /** `/usr/sbin/slurmd` (slurmd). */
  readonly slurmd: string;
  /** `/usr/sbin/munged` (munge). */
  readonly munged: string;
  /** The client commands (slurm-client). */
  readonly srun: string;
  readonly salloc: string;
  readonly sbatch: string;
  readonly scontrol: string;
  readonly squeue: string;
  readonly scancel: string;
  readonly sinfo: string;
  /** `ip` (iproute2). */
  readonly ip: string;
  /** `nsenter`, `unshare` and `setpriv` (util-linux). */
  readonly nsenter: string;
  readonly unshare: string;
  readonly setpriv: string;
  /** `hostname` (hostname). */
  readonly hostname: string;
}

function hasUser(name: string): boolean {
  try {
    return readFileSync('/etc/passwd', 'utf8').split('\n').some((line) => line.startsWith(`${name}:`));
  } catch {
    return false;
  }
}

let cached: SlurmInfrastructure | undefined;

/**
 * Checks that this machine can stand up a SLURM cluster: slurmctld, slurmd, munged, the
 * client commands, `ip`, `nsenter`, `unshare`, `setpriv`, `hostname`, the `munge` user, and
 * root. There is no skip: a test that needs the test bed fails when it is missing.
 *
 * @returns the programs' absolute paths.
 * @throws MissingInfrastructureError naming everything that is missing and the script
 *   (`tooling/testbed/scripts/provision-slurm.sh`) or `apt-get` line that fixes it.
 */
export function requireSlurmInfrastructure(): SlurmInfrastructure {
  if (cached) return cached;
  const needs = new Requirements('provision-slurm.sh');
  const infra: SlurmInfrastructure = {
    slurmctld: needs.command('slurmctld', 'slurmctld'),
    slurmd: needs.command('slurmd', 'slurmd'),
    munged: needs.command('munged', 'munge'),
    srun: needs.command('srun', 'slurm-client'),
    salloc: needs.command('salloc', 'slurm-client'),
    sbatch: needs.command('sbatch', 'slurm-client'),
    scontrol: needs.command('scontrol', 'slurm-client'),
    squeue: needs.command('squeue', 'slurm-client'),
    scancel: needs.command('scancel', 'slurm-client'),
    sinfo: needs.command('sinfo', 'slurm-client'),
    ip: needs.command('ip', 'iproute2'),
    nsenter: needs.command('nsenter', 'util-linux'),
    unshare: needs.command('unshare', 'util-linux'),
    setpriv: needs.command('setpriv', 'util-linux'),
    hostname: needs.command('hostname', 'hostname'),
  };
  // munged refuses to run as root; the munge package makes its user.
  needs.need(hasUser('munge'), 'the munge user', 'munge');
  needs.check();
  cached = infra;
  return cached;
}
