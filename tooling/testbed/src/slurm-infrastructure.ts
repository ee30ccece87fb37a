/**
 * What the SLURM test bed needs from the machine, checked up front so that a missing
 * package is one clear error rather than a failure half way through.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { MissingInfrastructureError } from './errors.js';

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

/** Root's PATH may lack the sbin folders when started from a user's environment. */
const EXTRA_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function which(command: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...EXTRA_PATH];
  return dirs.map((dir) => join(dir, command)).find(isExecutable);
}

function hasUser(name: string): boolean {
  try {
    return readFileSync('/etc/passwd', 'utf8').split('\n').some((line) => line.startsWith(`${name}:`));
  } catch {
    return false;
  }
}

/**
 * {@link MissingInfrastructureError} with the SLURM packages in its advice. Its `name`
 * stays `MissingInfrastructureError`: callers test that, whatever was missing.
 */
class MissingSlurmError extends MissingInfrastructureError {
  constructor(missing: readonly string[]) {
    super(missing);
    this.message =
      `[testbed] missing infrastructure: ${missing.join(', ')}. ` +
      'Install it as root with tooling/testbed/scripts/provision-slurm.sh (provision.sh runs it), or: ' +
      'apt-get install -y slurmctld slurmd slurm-client munge iproute2 util-linux ' +
      '(with a policy-rc.d that exits 101, so that no daemon starts; and run the tests as root)';
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
  const missing: string[] = [];
  const find = (command: string, pkg: string): string => {
    const found = which(command);
    if (!found) missing.push(`${command} (${pkg})`);
    return found ?? command;
  };
  const infra: SlurmInfrastructure = {
    slurmctld: find('slurmctld', 'slurmctld'),
    slurmd: find('slurmd', 'slurmd'),
    munged: find('munged', 'munge'),
    srun: find('srun', 'slurm-client'),
    salloc: find('salloc', 'slurm-client'),
    sbatch: find('sbatch', 'slurm-client'),
    scontrol: find('scontrol', 'slurm-client'),
    squeue: find('squeue', 'slurm-client'),
    scancel: find('scancel', 'slurm-client'),
    sinfo: find('sinfo', 'slurm-client'),
    ip: find('ip', 'iproute2'),
    nsenter: find('nsenter', 'util-linux'),
    unshare: find('unshare', 'util-linux'),
    setpriv: find('setpriv', 'util-linux'),
    hostname: find('hostname', 'hostname'),
  };
  // munged refuses to run as root; the munge package makes its user.
  if (!hasUser('munge')) missing.push('the munge user (munge)');
  if (process.getuid?.() !== 0) missing.push('root (run the tests as root)');
  if (missing.length > 0) throw new MissingSlurmError(missing);
  cached = infra;
  return cached;
}
