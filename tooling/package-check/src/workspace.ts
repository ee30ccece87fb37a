import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fields of a package.json that the checks read. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly description?: string;
  readonly type?: string;
  readonly keywords?: readonly string[];
  readonly homepage?: string;
  readonly bugs?: { readonly url?: string };
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string };
  readonly engines?: { readonly node?: string };
  readonly publishConfig?: { readonly access?: string };
  readonly types?: string;
  readonly exports?: unknown;
  readonly bin?: string | Readonly<Record<string, string>>;
  readonly workspaces?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

/** One package of the workspace. */
export interface WorkspacePackage {
  /** Its folder, absolute. */
  readonly dir: string;
  /** Its folder relative to the repository root, with `/` (`packages/core`). */
  readonly folder: string;
  readonly manifest: Manifest;
}

/** The repository root (three folders up from this file's `src/`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Reads a package.json. */
export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/**
 * Every package the root's `workspaces` globs name. Only the `folder/*` form is
 * expanded, the only one the root uses.
 *
 * @throws Error for a workspace glob of another form, so that a new one is not silently missed
 */
export function workspacePackages(root = REPO_ROOT): WorkspacePackage[] {
  const packages: WorkspacePackage[] = [];
  for (const glob of readManifest(root).workspaces ?? []) {
    const match = /^([\w.-]+)\/\*$/.exec(glob);
    if (match === null) throw new Error(`[package-check] workspace glob "${glob}" is not of the form folder/*`);
    const parent = match[1]!;
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      const dir = join(root, parent, entry.name);
      if (entry.isDirectory() && existsSync(join(dir, 'package.json'))) packages.push({ dir, folder: `${parent}/${entry.name}`, manifest: readManifest(dir) });
    }
  }
  return packages.sort((a, b) => a.folder.localeCompare(b.folder));
}
