import { isBuiltin } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';
import type { PackedPackage } from './packed.js';

/** What one file imports, as TypeScript's pre-processor reads it (comments and strings are not imports). */
export interface FileImports {
  /** Module specifiers: static and dynamic imports, re-exports, `require` calls, import types. */
  readonly modules: readonly string[];
  /** `/// <reference types="…" />` directives. */
  readonly typeReferences: readonly string[];
}

/** Reads the imports of a JavaScript or declaration file. */
export function importsOf(text: string): FileImports {
  const info = ts.preProcessFile(text, true, true);
  return { modules: info.importedFiles.map((file) => file.fileName), typeReferences: info.typeReferenceDirectives.map((ref) => ref.fileName) };
}

/** Whether a specifier names a module of this package's own files (`./x.js`, `../y.js`). */
export function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/** Whether a specifier names a Node built-in (`node:fs`, `fs`). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || isBuiltin(specifier);
}

/** The package a bare specifier imports from: `ws` of `ws/lib/x.js`, `@hostgrid/core` of `@hostgrid/core/testing`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The file of the tarball a relative specifier of `from` names (for a declaration file, `./x.js` names `./x.d.ts`). */
export function resolveRelative(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = from.endsWith('.d.ts') ? [target.replace(/\.js$/, '.d.ts'), target.replace(/\.mjs$/, '.d.mts'), `${target}.d.ts`, `${target}/index.d.ts`] : [target];
  return candidates.find((candidate) => files.has(candidate));
}

/** The files a module graph reaches, and the bare specifiers it imports. */
export interface ModuleGraph {
  readonly files: ReadonlySet<string>;
  /** Bare specifiers (no built-ins), each with a file that imports it. */
  readonly bare: ReadonlyMap<string, string>;
  /** Relative imports that name no file of the tarball, as `file → specifier`. */
  readonly missing: readonly string[];
}

/** Follows the relative imports from `entries` through the tarball. */
export async function moduleGraph(packed: PackedPackage, entries: readonly string[]): Promise<ModuleGraph> {
  const present = new Set(packed.files);
  const files = new Set<string>();
  const bare = new Map<string, string>();
  const missing: string[] = [];
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (files.has(file)) continue;
    files.add(file);
    const { modules, typeReferences } = importsOf(await packed.read(file));
    for (const specifier of modules) {
      if (isRelative(specifier)) {
        const target = resolveRelative(file, specifier, present);
        if (target === undefined) missing.push(`${file} → ${specifier}`);
        else queue.push(target);
      } else if (!isNodeBuiltin(specifier) && !bare.has(specifier)) bare.set(specifier, file);
    }
    for (const ref of typeReferences) if (ref !== 'node' && !bare.has(`@types/${ref}`)) bare.set(`@types/${ref}`, file);
  }
  return { files, bare, missing };
}
