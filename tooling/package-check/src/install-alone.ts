import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { installedPackage } from './checks.js';
import { packPackage } from './packed.js';
import type { WorkspacePackage } from './workspace.js';

/** A folder whose node_modules holds some packages as their tarballs have them, and nothing else of the workspace. */
export interface AloneInstall extends AsyncDisposable {
  readonly dir: string;
}

/**
 * Installs `packages` from their tarballs (`npm pack`) into a temp folder's node_modules,
 * with each of their other dependencies linked to the copy the workspace installed, and
 * nothing more: a module that imports an undeclared package, or a file the tarball lacks,
 * fails there as it would for a user. (The registry round trip is the release tests' job;
 * this is the quick check of what the tarballs hold.)
 *
 * @throws Error when a dependency is neither among `packages` nor installed in the workspace
 */
export async function installAlone(packages: readonly WorkspacePackage[]): Promise<AloneInstall> {
  const dir = await mkdtemp(join(tmpdir(), 'hostgrid-alone-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const names = new Set(packages.map((pkg) => pkg.manifest.name));
    for (const pkg of packages) {
      await using packed = await packPackage(pkg);
      const target = join(dir, 'node_modules', pkg.manifest.name);
      await cp(packed.root, target, { recursive: true });
      for (const dependency of Object.keys(pkg.manifest.dependencies ?? {})) {
        if (names.has(dependency)) continue;
        const installed = installedPackage(pkg.dir, dependency);
        if (installed === undefined) throw new Error(`[package-check] ${pkg.manifest.name} depends on ${dependency}, which the workspace has not installed`);
        const link = join(dir, 'node_modules', dependency);
        await mkdir(dirname(link), { recursive: true });
        await symlink(installed, link).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
      }
    }
    return { dir, [Symbol.asyncDispose]: dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
