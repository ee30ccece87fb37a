/**
 * Checks what a test bed needs from the machine (programs, files, users, root) and
 * collects everything missing into one {@link MissingInfrastructureError}, so that a
 * missing package is one clear error rather than a failure half way through.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { MissingInfrastructureError } from './errors.js';

/** Root's PATH may lack the sbin folders when started from a user's environment. */
const EXTRA_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function accessible(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Whether this process may execute `path`. */
export function isExecutable(path: string): boolean {
  return accessible(path, constants.X_OK);
}

/** Whether this process may read `path`. */
export function isReadable(path: string): boolean {
  return accessible(path, constants.R_OK);
}

/** Absolute path of `command` on PATH or in root's usual bin and sbin folders. */
export function which(command: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...EXTRA_PATH];
  return dirs.map((dir) => join(dir, command)).find(isExecutable);
}

/**
 * What one test bed needs, noted piece by piece; {@link Requirements.check} throws if any
 * piece (or root) is missing.
 *
 * @example
 * ```ts
 * const needs = new Requirements('provision-slurm.sh');
 * const srun = needs.command('srun', 'slurm-client');
 * needs.need(hasUser('munge'), 'the munge user', 'munge');
 * needs.check(); // throws MissingInfrastructureError naming all that is missing
 * ```
 */
export class Requirements {
  readonly #missing: string[] = [];
  readonly #packages = new Set<string>();

  /** @param script - the script in `tooling/testbed/scripts` that installs all of it. */
  constructor(readonly script: string) {}

  /** Notes `what` as missing, installed by the Debian package `pkg`, unless `present`. */
  need(present: boolean, what: string, pkg: string): void {
    if (present) return;
    this.#missing.push(`${what} (${pkg})`);
    this.#packages.add(pkg);
  }

  /** `command`'s absolute path (see {@link which}); when not found, notes it missing and returns `command`. */
  command(command: string, pkg: string): string {
    const found = which(command);
    this.need(found !== undefined, command, pkg);
    return found ?? command;
  }

  /** `path`, noted missing (as `label`, by default the path) unless executable. */
  executable(path: string, pkg: string, label = path): string {
    this.need(isExecutable(path), label, pkg);
    return path;
  }

  /**
   * Also requires root, then throws if anything noted is missing.
   *
   * @throws MissingInfrastructureError naming what is missing, the script and the
   *   `apt-get install` line of the packages that provide it.
   */
  check(): void {
    const missing = [...this.#missing];
    if (process.getuid?.() !== 0) missing.push('root (run the tests as root)');
    if (missing.length > 0) throw new MissingInfrastructureError(missing, { script: this.script, packages: [...this.#packages] });
  }
}
