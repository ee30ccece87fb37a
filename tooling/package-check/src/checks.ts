import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { binTargets, exportTargets } from './exports.js';
import { importsOf, isNodeBuiltin, isRelative, moduleGraph, packageOf } from './imports.js';
import type { PackedPackage } from './packed.js';
import type { Manifest, WorkspacePackage } from './workspace.js';

/** The repository every package names, as CONTRIBUTING.md says. */
export const REPOSITORY = 'https://github.com/hostgrid/hostgrid';

/** Files no tarball should carry: tests, type tests, fixtures, build scripts, build state, configs. */
const JUNK = [
  /\.test(-d)?\.[^/]*$/,
  /(^|\/)(fixtures|__fixtures__|__tests__|tests?|scripts)\//,
  /\.tsbuildinfo$/,
  // A project template's own tsconfig (create-hostgrid's) is what it ships, not build config.
  /^(?!(.*\/)?template\/).*(^|\/)tsconfig[^/]*\.json$/,
  /(^|\/)vitest\.[^/]*config\.[^/]*$/,
  /(^|\/)\.turbo\//,
];

/** The tarball's files that are tests, fixtures, scripts or build leftovers. */
export function junkFiles(files: readonly string[]): string[] {
  return files.filter((file) => JUNK.some((pattern) => pattern.test(file)));
}

/** What a published manifest lacks: access, engines, license, repository, homepage, bugs, keywords, `./package.json`. */
export function metadataProblems(pkg: WorkspacePackage, rootManifest: Manifest): string[] {
  const m = pkg.manifest;
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => ok || problems.push(what);
  need(m.publishConfig?.access === 'public', 'publishConfig.access is not "public"');
  need(m.engines?.node !== undefined && m.engines.node === rootManifest.engines?.node, `engines.node is not the root's "${rootManifest.engines?.node}"`);
  need(m.license === 'MIT', 'license is not "MIT"');
  need(typeof m.description === 'string' && m.description.length > 0, 'no description');
  need(m.type === 'module', 'type is not "module"');
  need(m.repository?.type === 'git' && m.repository.url === `git+${REPOSITORY}.git` && m.repository.directory === pkg.folder, `repository is not { type: "git", url: "git+${REPOSITORY}.git", directory: "${pkg.folder}" }`);
  need(m.homepage === `${REPOSITORY}/tree/main/${pkg.folder}#readme`, `homepage is not ${REPOSITORY}/tree/main/${pkg.folder}#readme`);
  need(m.bugs?.url === `${REPOSITORY}/issues`, `bugs.url is not ${REPOSITORY}/issues`);
  need(Array.isArray(m.keywords) && m.keywords.length > 0, 'no keywords');
  const exports = m.exports as Record<string, unknown> | undefined;
  need(exports?.['./package.json'] === './package.json', 'exports has no "./package.json": "./package.json"');
  return problems;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

/**
 * Whether `range` is a caret range `^x.y.z` that `version` (plain `x.y.z`) satisfies, by
 * npm's rules: the left-most non-zero part must match, and the version be no lower.
 * Changesets writes internal ranges in this form; anything else (`*`, `>=0`, a tag) fails.
 */
export function caretSatisfies(range: string, version: string): boolean {
  const floor = VERSION.exec(range.startsWith('^') ? range.slice(1) : '');
  const have = VERSION.exec(version);
  if (floor === null || have === null) return false;
  const [a, b] = [floor.slice(1).map(Number), have.slice(1).map(Number)];
  const fixed = a[0]! > 0 ? 1 : a[1]! > 0 ? 2 : 3;
  for (let i = 0; i < fixed; i++) if (a[i] !== b[i]) return false;
  for (let i = fixed; i < 3; i++) if (b[i]! !== a[i]!) return b[i]! > a[i]!;
  return true;
}

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const;

/**
 * Internal dependencies that would not install from a registry: anything but a caret
 * range the sibling's version satisfies, or a private sibling outside devDependencies.
 */
export function internalRangeProblems(pkg: WorkspacePackage, workspace: readonly WorkspacePackage[]): string[] {
  const problems: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(pkg.manifest[field] ?? {})) {
      const sibling = workspace.find((other) => other.manifest.name === name)?.manifest;
      if (sibling === undefined) continue;
      if (sibling.private === true) {
        if (field !== 'devDependencies') problems.push(`${field}.${name}: a private package, never published`);
      } else if (!caretSatisfies(range, sibling.version)) problems.push(`${field}.${name} is "${range}", not a caret range ("^x.y.z") that its version ${sibling.version} satisfies`);
    }
  }
  return problems;
}

/** Files that `exports` or `bin` name and the tarball lacks. */
export function missingEntryFiles(manifest: Manifest, packed: PackedPackage): string[] {
  const present = new Set(packed.files);
  const named = [...exportTargets(manifest).map((target) => target.file), ...binTargets(manifest)];
  return [...new Set(named)].filter((file) => !present.has(file));
}

/** `bin` files of the tarball that do not start with `#!/usr/bin/env node`, which npm's shims and a plain exec need. */
export async function binsWithoutShebang(manifest: Manifest, packed: PackedPackage): Promise<string[]> {
  const present = new Set(packed.files);
  const problems: string[] = [];
  for (const file of binTargets(manifest).filter((f) => present.has(f))) {
    if (!(await packed.read(file)).startsWith('#!/usr/bin/env node\n')) problems.push(file);
  }
  return problems;
}

function declared(manifest: Manifest, name: string): boolean {
  return name === manifest.name || [manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies].some((deps) => deps?.[name] !== undefined);
}

const CODE = /\.(m|c)?js$|\.d\.(m|c)?ts$/;

/** Imports, in any JavaScript or declaration file of the tarball, of a package the manifest does not declare. */
export async function undeclaredImports(manifest: Manifest, packed: PackedPackage): Promise<string[]> {
  const problems: string[] = [];
  for (const file of packed.files.filter((f) => CODE.test(f))) {
    const { modules, typeReferences } = importsOf(await packed.read(file));
    for (const specifier of modules) {
      if (!isRelative(specifier) && !isNodeBuiltin(specifier) && !declared(manifest, packageOf(specifier))) problems.push(`${file} imports ${specifier}`);
    }
    for (const ref of typeReferences) if (ref !== 'node' && !declared(manifest, `@types/${ref}`)) problems.push(`${file} references types "${ref}"`);
  }
  return problems;
}

/** The folder of `name` as Node would find it from `dir` (the nearest node_modules up the tree), or `undefined`. */
export function installedPackage(dir: string, name: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(at) === at) return undefined;
  }
}

function shipsTypes(dir: string): boolean {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest & { typings?: string };
  return manifest.types !== undefined || manifest.typings !== undefined || JSON.stringify(manifest.exports ?? {}).includes('"types"') || existsSync(join(dir, 'index.d.ts'));
}

/**
 * Packages that the public declaration files (those reachable from the `types` of
 * `exports`) import and whose types a user would not get: neither the package (declared
 * and shipping types) nor `@types/<name>` among the dependencies.
 */
export async function untypedPublicImports(pkg: WorkspacePackage, packed: PackedPackage): Promise<string[]> {
  const entries = exportTargets(pkg.manifest).filter((t) => t.condition === 'types').map((t) => t.file);
  const graph = await moduleGraph(packed, entries);
  const problems = graph.missing.map((edge) => `${edge}: no such file in the tarball`);
  for (const [specifier, file] of graph.bare) {
    const name = packageOf(specifier);
    if (name === pkg.manifest.name) continue;
    const typesName = name.startsWith('@types/') ? name : `@types/${name.replace(/^@(.*)\//, '$1__')}`;
    if (declared(pkg.manifest, typesName)) continue;
    const installed = installedPackage(pkg.dir, name);
    const typed = !name.startsWith('@types/') && declared(pkg.manifest, name) && installed !== undefined && shipsTypes(installed);
    if (!typed) problems.push(`${file} imports ${specifier}, whose types neither it nor ${typesName} gives as a dependency`);
  }
  return problems;
}

/** Bare imports of the main entry's module graph (`.`) that are optional peer dependencies, which a user may not have. */
export async function optionalPeersOfMainEntry(manifest: Manifest, packed: PackedPackage): Promise<string[]> {
  const optional = Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional === true).map(([name]) => name);
  const entries = exportTargets(manifest).filter((t) => t.subpath === '.' && t.condition !== 'types').map((t) => t.file);
  const graph = await moduleGraph(packed, entries);
  return [...graph.bare].filter(([specifier]) => optional.includes(packageOf(specifier))).map(([specifier, file]) => `${file} imports ${specifier}`);
}

interface SourceMap {
  readonly sources?: readonly string[];
  readonly sourceRoot?: string;
  readonly sourcesContent?: ReadonlyArray<string | null>;
}

/** Source maps that do not resolve: a map a file names that is missing, or a source neither in the tarball nor embedded. */
export async function sourceMapProblems(packed: PackedPackage): Promise<string[]> {
  const present = new Set(packed.files);
  const problems: string[] = [];
  for (const file of packed.files) {
    if (file.endsWith('.map')) {
      const map = JSON.parse(await packed.read(file)) as SourceMap;
      (map.sources ?? []).forEach((source, i) => {
        const path = posix.normalize(posix.join(posix.dirname(file), map.sourceRoot ?? '', source));
        if (!present.has(path) && typeof map.sourcesContent?.[i] !== 'string') problems.push(`${file}: source ${source} is not in the tarball and not embedded`);
      });
    } else if (CODE.test(file)) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await packed.read(file))?.[1];
      if (url !== undefined && !url.startsWith('data:') && !present.has(posix.join(posix.dirname(file), url))) problems.push(`${file}: its map ${url} is not in the tarball`);
    }
  }
  return problems;
}

/**
 * Links of a README that break on a registry page, which shows the README alone: every
 * link that is not absolute (`http(s):`, `mailto:`) or an anchor of the page itself.
 */
export function relativeReadmeLinks(readme: string): string[] {
  const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  return targets.filter((target) => !/^(https?:|mailto:|#)/.test(target));
}
