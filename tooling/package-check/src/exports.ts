import type { Manifest } from './workspace.js';

/** One file an `exports` entry points to. */
export interface ExportTarget {
  /** The subpath (`.`, `./testing`). */
  readonly subpath: string;
  /** The innermost condition (`types`, `default`, `import`). */
  readonly condition: string;
  /** The file, relative to the package root, without `./`. */
  readonly file: string;
}

function collect(subpath: string, condition: string, value: unknown, into: ExportTarget[]): void {
  if (typeof value === 'string') into.push({ subpath, condition, file: value.replace(/^\.\//, '') });
  else if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) collect(subpath, key, inner, into);
}

/**
 * Every file of a manifest's `exports` (and its `types` field, as subpath `.`).
 *
 * @throws Error for an `exports` that is not an object of `./` subpaths (the only form the packages use)
 */
export function exportTargets(manifest: Manifest): ExportTarget[] {
  const targets: ExportTarget[] = [];
  if (manifest.types !== undefined) collect('.', 'types', manifest.types, targets);
  if (manifest.exports === undefined) return targets;
  if (typeof manifest.exports !== 'object' || manifest.exports === null) throw new Error(`[package-check] ${manifest.name}: exports is not an object of subpaths`);
  for (const [subpath, value] of Object.entries(manifest.exports)) {
    if (!subpath.startsWith('.')) throw new Error(`[package-check] ${manifest.name}: exports key "${subpath}" is not a subpath`);
    collect(subpath, 'default', value, targets);
  }
  return targets;
}

/** The files of a manifest's `bin`, relative to the package root. */
export function binTargets(manifest: Manifest): string[] {
  const bin = manifest.bin;
  if (bin === undefined) return [];
  return (typeof bin === 'string' ? [bin] : Object.values(bin)).map((file) => file.replace(/^\.\//, ''));
}
