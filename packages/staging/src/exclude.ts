import fg from 'fast-glob';
import { StagingInputError } from './errors.js';

/**
 * What {@link selectFiles} leaves out when no `exclude` is given: version-control
 * internals and build caches, which are never wanted on a host.
 *
 * @default ['.git/', 'node_modules/.cache/']
 */
export const DEFAULT_EXCLUDE: readonly string[] = Object.freeze(['.git/', 'node_modules/.cache/']);

/** @throws StagingInputError when an exclude string is empty (it would exclude everything) or not a string. */
export function checkExclude(exclude: readonly string[]): void {
  if (!Array.isArray(exclude)) {
    throw new StagingInputError({ message: 'cannot select files: exclude must be an array of strings' });
  }
  for (const item of exclude as readonly unknown[]) {
    if (typeof item !== 'string' || item === '') {
      throw new StagingInputError({
        message: `cannot select files: exclude strings must be non-empty strings, got ${JSON.stringify(item)} (an empty string would exclude every file)`,
      });
    }
  }
}

/**
 * Whether a root-relative POSIX path is excluded: it is when the path, or `'/' + path`,
 * contains one of the strings. Matching against `'/' + path` lets `'.git/'` (or
 * `'/build/'`) catch a top-level `.git/config`, and it covers matching against the path
 * itself, since a string found in the path is also found in `'/' + path`.
 */
export function isExcluded(path: string, exclude: readonly string[]): boolean {
  const slashed = `/${path}`;
  return exclude.some((item) => slashed.includes(item));
}

/**
 * A fast-glob `ignore` pattern that skips exactly the folders an exclude string
 * excludes, so that the walk does not even read them (`.git/objects` can hold more
 * files than the tree itself). Only for strings that end in `/`: `'x.git/'` is found in
 * `'/' + path` exactly when some folder's name ends in `x.git`, which the glob `**\/*x.git/**`
 * says. `undefined` when a string has no such exact glob; {@link isExcluded} stays the
 * rule either way, this only saves reading folders.
 */
export function pruneGlob(item: string): string | undefined {
  if (!item.endsWith('/') || item.includes('\\')) return undefined;
  const anchored = item.startsWith('/');
  const segments = item.slice(anchored ? 1 : 0, -1).split('/');
  const [first, ...rest] = segments;
  if (first === undefined || first === '') return undefined;
  if (rest.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  const body = segments.map((segment) => fg.escapePath(segment)).join('/');
  // Not anchored: the first segment is a suffix of a folder's name, so it takes a `*` in front.
  return `**/${anchored ? '' : '*'}${body}/**`;
}
