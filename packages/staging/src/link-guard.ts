import { readlink, realpath, stat as statAsync } from 'node:fs/promises';
import { stat, type Stats } from 'node:fs';
import type fg from 'fast-glob';

/**
 * A symbolic link the walk did not follow, and why:
 * - `outside-file`, `outside-dir`: its real path lies outside the root;
 * - `broken`: it leads nowhere (its target is missing, or it loops);
 * - `cycle`: it leads to a folder that holds the link itself, so following it would
 *   walk the same files again and again.
 */
export interface LinkRecord {
  readonly kind: 'outside-file' | 'outside-dir' | 'broken' | 'cycle';
  /** The link's path, POSIX, relative to the root, as the walk reached it. */
  readonly path: string;
  /** Where it leads: its real path, or for a broken link what it says (`readlink`). */
  readonly target: string;
}

/** Whether `path` is `root` or lies under it; both are absolute real paths. */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/** Whether `ancestor` is `path` or one of its ancestors. */
const isAncestorOrSelf = (ancestor: string, path: string): boolean => isInside(ancestor, path);

/**
 * A fast-glob `fs` adapter whose `stat` (which the walk calls only on symbolic links,
 * to decide whether to follow them) refuses links that lead out of `realRoot`, broken
 * links and links back to a folder above them, recording each in `records` (keyed by
 * root-relative path). A refused link fails its `stat`, which fast-glob (with
 * `throwErrorOnBrokenSymbolicLink: false`) takes as "keep the link, do not follow it";
 * the caller then decides from `records` what to report. So the walk never leaves the
 * root, never loops, and checks each link once.
 */
export function guardedFileSystem(realRoot: string, records: Map<string, LinkRecord>): Partial<fg.FileSystemAdapter> {
  const prefix = realRoot.endsWith('/') ? realRoot : `${realRoot}/`;
  const realFolders = new Map<string, Promise<string>>();
  const realFolder = (path: string): Promise<string> => {
    let real = realFolders.get(path);
    if (real === undefined) {
      real = realpath(path);
      realFolders.set(path, real);
    }
    return real;
  };

  const check = async (path: string): Promise<LinkRecord | undefined> => {
    const relative = path.startsWith(prefix) ? path.slice(prefix.length) : path;
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      const target = await readlink(path).catch(() => '');
      return { kind: 'broken', path: relative, target };
    }
    let isFolder: boolean;
    try {
      isFolder = (await statAsync(real)).isDirectory();
    } catch {
      return { kind: 'broken', path: relative, target: real };
    }
    if (!isInside(realRoot, real)) return { kind: isFolder ? 'outside-dir' : 'outside-file', path: relative, target: real };
    if (isFolder) {
      // Every folder on the walk's way to the link: following a link into (an ancestor of)
      // one of them would walk it again, for ever (A/l1 -> B, B/l2 -> A included).
      const segments = relative.split('/');
      for (let depth = 0; depth < segments.length; depth++) {
        const folder = depth === 0 ? realRoot : `${prefix}${segments.slice(0, depth).join('/')}`;
        if (isAncestorOrSelf(real, await realFolder(folder))) return { kind: 'cycle', path: relative, target: real };
      }
    }
    return undefined;
  };

  const refuse = (callback: (error: NodeJS.ErrnoException | null, stats: Stats) => void, record: LinkRecord): void => {
    const error: NodeJS.ErrnoException = new Error(`link "${record.path}" not followed (${record.kind})`);
    error.code = 'EHOSTGRIDLINK';
    // fs.stat's callback gets no stats on failure either; its type says otherwise.
    (callback as (error: NodeJS.ErrnoException) => void)(error);
  };

  return {
    stat(path, callback) {
      check(path).then(
        (record) => {
          if (record === undefined) {
            stat(path, callback);
            return;
          }
          records.set(record.path, record);
          refuse(callback, record);
        },
        (error: unknown) => (callback as (error: unknown) => void)(error),
      );
    },
  };
}
