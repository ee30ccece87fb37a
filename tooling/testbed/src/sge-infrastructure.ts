/**
 * What the SGE test bed needs from the machine: Debian's Sun Grid Engine 8.1.9 packages
 * and root, checked up front so that a missing package is one clear error.
 */
import { accessSync, constants } from 'node:fs';
import { MissingInfrastructureError } from './errors.js';

/** Where Debian's gridengine packages put things. */
export const SGE_ROOT = '/var/lib/gridengine';
/** The daemons and client commands (gridengine-master, -exec, -client). */
const GRIDENGINE_LIB = '/usr/lib/gridengine';

/** Absolute paths of what the SGE test bed runs. */
export interface SgeInfrastructure {
  /** `SGE_ROOT` of the installation: `/var/lib/gridengine`. */
  readonly root: string;
  /** Folder of the client commands (`qsub`, `qrsh`, `qconf`, `qstat`, `qdel`, `qacct`): `/usr/lib/gridengine`. */
  readonly bin: string;
  /** `sge_qmaster` (gridengine-master). */
  readonly qmaster: string;
  /** `sge_execd` (gridengine-exec). */
  readonly execd: string;
  /** `spoolinit` and `spooldefaults`, which make a new cell's spool before its qmaster starts. */
  readonly spoolinit: string;
  readonly spooldefaults: string;
  /** The packages' templates: the global configuration, complexes and usersets. */
  readonly defaults: { readonly configuration: string; readonly complexes: string; readonly usersets: string };
  /** `getent` (libc-bin), which resolves names the way SGE does (NSS). */
  readonly getent: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A missing SGE package (or root). Its `name` is `MissingInfrastructureError`, like the
 * SSH test bed's, and it is never turned into a skip.
 */
class MissingSgeError extends MissingInfrastructureError {
  constructor(missing: readonly string[]) {
    super(missing);
    this.message =
      `[testbed] missing infrastructure for SGE: ${missing.join(', ')}. ` +
      'Install it as root with tooling/testbed/scripts/provision-sge.sh (debconf preseeded, no daemon started), or: ' +
      'apt-get install -y gridengine-master gridengine-exec gridengine-client (and run the tests as root)';
  }
}

let cached: SgeInfrastructure | undefined;

/**
 * Checks that this machine can stand up a single-node Sun Grid Engine: `sge_qmaster`,
 * `sge_execd`, the client commands, the spool tools and templates of Debian's
 * gridengine packages, `getent`, and root (the daemons switch to `sgeadmin`, jobs run as
 * root). There is no skip: a test that needs SGE fails when it is missing.
 *
 * @throws MissingInfrastructureError naming what is missing and how to install it
 *   (`tooling/testbed/scripts/provision-sge.sh`).
 */
export function requireSgeInfrastructure(): SgeInfrastructure {
  if (cached) return cached;
  const infra: SgeInfrastructure = {
    root: SGE_ROOT,
    bin: GRIDENGINE_LIB,
    qmaster: `${GRIDENGINE_LIB}/sge_qmaster`,
    execd: `${GRIDENGINE_LIB}/sge_execd`,
    spoolinit: `${GRIDENGINE_LIB}/spoolinit`,
    spooldefaults: `${GRIDENGINE_LIB}/spooldefaults`,
    defaults: {
      configuration: '/usr/share/gridengine/default-configuration',
      complexes: '/usr/share/gridengine/util/resources/centry',
      usersets: '/usr/share/gridengine/util/resources/usersets',
    },
    getent: '/usr/bin/getent',
  };
  const missing: string[] = [];
  if (!isExecutable(infra.qmaster)) missing.push(`${infra.qmaster} (gridengine-master)`);
  if (!isExecutable(infra.execd)) missing.push(`${infra.execd} (gridengine-exec)`);
  for (const command of ['qsub', 'qrsh', 'qconf', 'qstat', 'qdel', 'qacct']) {
    if (!isExecutable(`${GRIDENGINE_LIB}/${command}`)) missing.push(`${command} (gridengine-client)`);
  }
  if (!isExecutable(infra.spoolinit) || !isExecutable(infra.spooldefaults) || !isReadable(infra.defaults.configuration)) {
    missing.push('spoolinit, spooldefaults and the default configuration (gridengine-common)');
  }
  if (!isExecutable(infra.getent)) missing.push(`${infra.getent} (libc-bin)`);
  if (process.getuid?.() !== 0) missing.push('root (run the tests as root)');
  if (missing.length > 0) throw new MissingSgeError(missing);
  cached = infra;
  return infra;
}
