/**
 * What the SGE test bed needs from the machine: Debian's Sun Grid Engine 8.1.9 packages
 * and root, checked up front so that a missing package is one clear error.
 */
import { isReadable, Requirements } from './requirements.js';

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
  const needs = new Requirements('provision-sge.sh');
  needs.executable(infra.qmaster, 'gridengine-master');
  needs.executable(infra.execd, 'gridengine-exec');
  for (const command of ['qsub', 'qrsh', 'qconf', 'qstat', 'qdel', 'qacct']) {
    needs.executable(`${GRIDENGINE_LIB}/${command}`, 'gridengine-client', command);
  }
  needs.executable(infra.spoolinit, 'gridengine-common', 'spoolinit');
  needs.executable(infra.spooldefaults, 'gridengine-common', 'spooldefaults');
  needs.need(isReadable(infra.defaults.configuration), infra.defaults.configuration, 'gridengine-common');
  needs.executable(infra.getent, 'libc-bin');
  needs.check();
  cached = infra;
  return infra;
}
