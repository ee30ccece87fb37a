/**
 * Copies the project template (src/template) to dist/template, where the bin reads it,
 * and writes real version ranges into the template's package.json: each `@hostgrid/*`
 * dependency gets `^<version>` of that package in this repository, and `typescript` and
 * `@types/node` get the root package.json's ranges. So a release, which bumps the
 * packages' versions, scaffolds projects that depend on the versions it publishes.
 *
 * The template's `.gitignore` is stored as `_gitignore` (npm leaves `.gitignore` files
 * out of tarballs); scaffolding renames it.
 */
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(packageRoot, '..', '..');
const source = join(packageRoot, 'src', 'template');
const target = join(packageRoot, 'dist', 'template');

/** The version of every package in the repository's `packages/` folder, by name. */
async function workspaceVersions() {
  const versions = new Map();
  for (const entry of await readdir(join(repoRoot, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(repoRoot, 'packages', entry.name, 'package.json');
    const manifest = JSON.parse(await readFile(file, 'utf8').catch(() => '{}'));
    if (typeof manifest.name === 'string' && typeof manifest.version === 'string') versions.set(manifest.name, manifest.version);
  }
  return versions;
}

/** The range for one template dependency; the build fails on a name it cannot place. */
function rangeFor(name, versions, rootDevDependencies) {
  if (name.startsWith('@hostgrid/')) {
    const version = versions.get(name);
    if (version === undefined) throw new Error(`copy-template: the template depends on ${name}, which is not a package in ${join(repoRoot, 'packages')}`);
    return `^${version}`;
  }
  const range = rootDevDependencies[name];
  if (typeof range !== 'string') throw new Error(`copy-template: the template depends on ${name}, which the root package.json's devDependencies do not list`);
  return range;
}

const versions = await workspaceVersions();
const rootDevDependencies = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')).devDependencies ?? {};
await rm(target, { recursive: true, force: true });
await mkdir(dirname(target), { recursive: true });
await cp(source, target, { recursive: true });
const manifestPath = join(target, 'package.json');
const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
for (const field of ['dependencies', 'devDependencies']) {
  for (const name of Object.keys(manifest[field] ?? {})) manifest[field][name] = rangeFor(name, versions, rootDevDependencies);
}
await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
