import { lstat, readlink, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { StagingInputError } from './errors.js';
import { resolveInside, safeRelativePath } from './path-safety.js';

/**
 * Where a path on a host really leads, every link on the way resolved (POSIX `realpath`),
 * with two allowances that let one call answer for a file about to be written:
 * - a missing last component is kept as it is (`/t/new.txt` gives `/real/t/new.txt` when
 *   `/t` leads to `/real/t`), as OpenSSH's SFTP `realpath` does;
 * - a link that leads nowhere gives where it says (its target), never `undefined`.
 *
 * Resolves `undefined` when a folder on the way is missing.
 */
export type RealPath = (path: string) => Promise<string | undefined>;

/**
 * {@link RealPath} on this machine, with `node:fs`.
 *
 * @throws the file system's error for anything but a missing path (`ELOOP`, `EACCES`)
 */
export async function localRealPath(path: string): Promise<string | undefined> {
  // The folder first, then the name in it: two system calls whether the file is there or
  // not (most files of a first copy are not), and a missing one is no link.
  let folder: string;
  try {
    folder = await realpath(posix.dirname(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const real = posix.join(folder, posix.basename(path));
  try {
    if (!(await lstat(real)).isSymbolicLink()) return real;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return real;
    throw error;
  }
  try {
    return await realpath(real);
  } catch (error) {
    // A link that leads nowhere: where it says.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return posix.resolve(folder, await readlink(real));
    throw error;
  }
}

/**
 * The absolute path of `relative` under a host's temp path `root`, checked on the host's
 * file system: the path, and every folder of it inside `root`, must really be where its
 * name says, under `realRoot` (where `root` really was when the grid made or took it).
 * So no link inside the temp path is followed (a linked file, a linked folder such as
 * `data -> /etc`, even one leading elsewhere inside), and a temp path whose folders
 * above were swapped for a link since is refused too. The links a temp path's own parents
 * held from the start (`/scratch -> /data/scratch`) are allowed: they are in `realRoot`.
 *
 * One `realPath` call answers for a file in an existing folder; for each missing folder
 * on the way, one more. What the check cannot see is a link swapped in between it and
 * the write that follows (a race with someone writing into the temp path as it runs);
 * writes then go through a fresh name opened exclusively and a rename, which replaces a
 * link at the final name rather than follow it.
 *
 * @param root - The temp path, absolute, as the grid knows it.
 * @param realRoot - Where `root` really led when it was made (`realPath(root)` then).
 * @param relative - A path checked by {@link safeRelativePath}, or `''` for the temp path itself.
 * @param realPath - The host's {@link RealPath}.
 * @returns `root` joined with the canonical form of `relative`.
 * @throws StagingInputError (`path` is `relative`) when the path, or a folder on its way,
 *   leads anywhere else, or when the temp path's own parent folder is gone; the message
 *   names the component and where it leads. Errors of `realPath` itself are passed on.
 *
 * @example
 * ```ts
 * await resolveUnlinked('/tmp/t', '/tmp/t', 'data/x.txt', localRealPath); // '/tmp/t/data/x.txt'
 * // with /tmp/t/data -> /etc: throws StagingInputError ('"/tmp/t/data" leads to "/etc"')
 * ```
 */
export async function resolveUnlinked(root: string, realRoot: string, relative: string, realPath: RealPath): Promise<string> {
  const base = posix.resolve(root);
  const path = relative === '' ? base : resolveInside(root, relative);
  const segments = relative === '' ? [] : safeRelativePath(relative).split('/');
  const under = (top: string, depth: number): string => posix.join(top, ...segments.slice(0, depth));
  // From the file up: the deepest component that exists decides where the rest would land.
  let depth = segments.length;
  let real = await realPath(under(base, depth));
  while (real === undefined && depth > 0) real = await realPath(under(base, --depth));
  const expected = under(realRoot, depth);
  if (real !== expected) {
    const leads = real === undefined ? 'is gone' : `leads to ${JSON.stringify(real)}`;
    throw new StagingInputError({
      message: `path ${JSON.stringify(relative)} is refused: ${JSON.stringify(under(base, depth))} ${leads}, not to ${JSON.stringify(expected)}; a link or a moved folder would take the write outside the temp path`,
      path: relative,
    });
  }
  return path;
}
