import { posix } from 'node:path';
import { StagingInputError } from './errors.js';

/**
 * Checks a relative path that names a file to be written (a manifest key, a selected
 * file's path) and returns it in canonical POSIX form: `.` segments and repeated or
 * trailing slashes dropped (`./a//b/` becomes `a/b`).
 *
 * Refused, with a {@link StagingInputError} naming the path:
 * - an empty path, or one that names no file once normalised (`.`, `./`);
 * - a NUL character (it would cut the path short in a system call);
 * - an absolute path (`/etc/passwd`);
 * - any `..` segment, even one that would end up inside (`a/../b`): no path is ever
 *   resolved upwards, so there is nothing to get wrong;
 * - a backslash. On POSIX it is an ordinary character of a file name, but it is a
 *   separator on Windows, so `a\..\..\x` would mean different things on different
 *   machines; a path is only accepted when it means the same everywhere.
 *
 * @param path - A path relative to some root, with `/` as separator.
 * @returns The same path in canonical form.
 * @throws StagingInputError when the path is refused.
 *
 * @example
 * ```ts
 * safeRelativePath('./data//a/x.txt'); // 'data/a/x.txt'
 * safeRelativePath('../x');            // throws StagingInputError
 * ```
 */
export function safeRelativePath(path: string): string {
  const refuse = (why: string): never => {
    throw new StagingInputError({ message: `unsafe path ${JSON.stringify(path)}: ${why}`, path });
  };
  if (typeof path !== 'string') {
    throw new StagingInputError({ message: `unsafe path: expected a string, got ${typeof path}` });
  }
  if (path === '') refuse('it is empty');
  if (path.includes('\0')) refuse('it contains a NUL character');
  if (path.includes('\\')) refuse('it contains a backslash');
  if (path.startsWith('/')) refuse('it is absolute');
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') refuse('it contains a ".." segment');
    if (segment !== '' && segment !== '.') segments.push(segment);
  }
  if (segments.length === 0) refuse('it names no file');
  return segments.join('/');
}

/**
 * The absolute path of `relative` under `root`, guaranteed to lie strictly inside `root`
 * once normalised. This guards every write on a host: nothing is ever written outside a
 * host's temp path. Both are POSIX paths (hosts are POSIX machines), whatever this
 * machine is.
 *
 * The check is on the path's text: it does not look at the host's file system, so a
 * link planted inside `root` is not seen here; {@link resolveUnlinked} (`host-links.ts`)
 * checks that too, on the host, before the grid writes.
 *
 * @param root - An absolute POSIX path (the host's temp path).
 * @param relative - A path checked by {@link safeRelativePath}.
 * @returns `root` joined with the canonical form of `relative`.
 * @throws StagingInputError when `root` is not absolute or holds a NUL, or `relative`
 * is refused by {@link safeRelativePath}.
 *
 * @example
 * ```ts
 * resolveInside('/tmp/hostgrid-a1', 'data/x.txt');   // '/tmp/hostgrid-a1/data/x.txt'
 * resolveInside('/tmp/hostgrid-a1', '../../etc/x');  // throws StagingInputError
 * ```
 */
export function resolveInside(root: string, relative: string): string {
  if (typeof root !== 'string' || !posix.isAbsolute(root) || root.includes('\0')) {
    throw new StagingInputError({
      message: `root ${JSON.stringify(root)} must be an absolute POSIX path without NUL characters`,
      path: String(root),
    });
  }
  const base = posix.resolve(root);
  const resolved = posix.resolve(base, safeRelativePath(relative));
  const prefix = base.endsWith('/') ? base : `${base}/`;
  // Cannot fail after safeRelativePath; kept so that this function alone is the guarantee.
  if (!resolved.startsWith(prefix)) {
    throw new StagingInputError({ message: `path ${JSON.stringify(relative)} escapes ${JSON.stringify(base)}`, path: relative });
  }
  return resolved;
}
