import { statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import fg from 'fast-glob';
import { StagingInputError } from './errors.js';
import { DEFAULT_EXCLUDE, checkExclude, isExcluded, pruneGlob } from './exclude.js';
import { guardedFileSystem, isInside, type LinkRecord } from './link-guard.js';
import { safeRelativePath } from './path-safety.js';
import { parsePattern, type ParsedPattern } from './pattern.js';

/** A file chosen by {@link selectFiles}. */
export interface SelectedFile {
  /** POSIX path relative to the selection's root, e.g. `data/a/b/y.txt`: where it goes on a host. */
  readonly path: string;
  /** Where to read it on this machine: the root's real path joined with `path`. */
  readonly absolutePath: string;
  /** Size in bytes. */
  readonly size: number;
  /** Permission bits only (`mode & 0o777`), e.g. `0o755`; setuid, setgid and sticky bits are never copied. */
  readonly mode: number;
  /** Last modification, in milliseconds since the epoch. */
  readonly mtimeMs: number;
  /** Inode number (of the link's target, for a link). */
  readonly ino: number;
}

/** A symbolic link that matched a pattern but was not selected. */
export interface SkippedLink {
  /** The link's POSIX path, relative to the root. */
  readonly path: string;
  /** What the link says (broken) or its real path (cycle). */
  readonly target: string;
  /**
   * `broken`: it leads nowhere (editors leave such links behind as lock files, e.g.
   * emacs's `.#name`). `cycle`: a link to a folder that holds the link itself.
   */
  readonly reason: 'broken' | 'cycle';
}

/** What {@link selectFiles} found. */
export interface Selection {
  /** The root folder's absolute real path (symbolic links resolved). */
  readonly rootDir: string;
  /** The files, sorted by `path` (code unit order), each once however many patterns matched it. */
  readonly files: readonly SelectedFile[];
  /**
   * The patterns that selected nothing (after `exclude`), in the order given: a warning
   * for the report, not an error.
   */
  readonly unmatched: readonly string[];
  /** Links that were not selected: broken ones whose name matched, and links to a folder above them; sorted by path. */
  readonly skippedLinks: readonly SkippedLink[];
}

/** Options of {@link selectFiles}. */
export interface SelectOptions {
  /**
   * Files whose root-relative POSIX path contains one of these strings are left out.
   * The path is matched as it is and with a `/` in front, so `'.git/'` also catches a
   * top-level `.git/config`, and `'/build/'` only a folder named exactly `build`.
   * Strings are plain text, not globs; an empty string is refused.
   *
   * @default DEFAULT_EXCLUDE (`['.git/', 'node_modules/.cache/']`)
   */
  readonly exclude?: readonly string[];
}

/**
 * Selects the files to copy from `rootDir`, by the seed's `copy_files` rules.
 *
 * Each pattern is `folder/namepattern`. Every regular file at any depth under `folder`
 * whose base name matches `namepattern` is selected, keeping its path relative to
 * `rootDir`:
 * - `data/*.txt` takes `data/x.txt` and `data/a/b/y.txt`, not `other/x.txt`;
 * - `Isd/foo.txt` takes `Isd/foo.txt` and `Isd/a/b/c/foo.txt`;
 * - `*.pyc`, with no folder, searches all of `rootDir` at any depth;
 * - `src/py/*.so`: the folder may have several segments.
 *
 * `namepattern` is a glob on the base name only (`*`, `?`, `[abc]`, `{a,b}`; `\` escapes).
 * `folder` is literal: its segments may not contain `* ? [ ] { }` (refused, since a
 * glob folder is not one of the rules; drop the folder to search everywhere); other
 * characters, such as `(` or `!`, are taken as they are. Dotfiles and dot-folders are
 * included, as the seed copies them; `exclude` is how to leave them out.
 *
 * Symbolic links: a link whose real path is inside the root's real path is followed: a
 * link to a file is selected as that file (its contents, size and mode) under the
 * link's own path, a link to a folder is walked as that folder. A link leading out of
 * the root is refused, never followed: a matching link to a file outside, or any link to
 * a folder outside found under a pattern's folder (what it holds cannot be known without
 * walking outside), unless `exclude` drops its path. Broken links whose name matches,
 * and links to a folder that holds the link, are skipped and listed in
 * `skippedLinks`. Folders, sockets, fifos and devices are never selected.
 *
 * One walk per pattern (excluded folders ending in `/` are not even read), one `stat`
 * per selected file.
 *
 * @param rootDir - The folder to copy from; relative paths are resolved from the current directory.
 * @param patterns - `folder/namepattern` patterns, relative to `rootDir`.
 * @param options - See {@link SelectOptions}.
 * @returns The selection, with `rootDir` as a real path.
 * @throws StagingInputError when `rootDir` does not exist or is not a folder; when a
 * pattern is empty, absolute, has a `..` segment, a NUL, no name part, or a glob
 * character in its folder; when an exclude string is empty; when a link leads outside
 * the root (naming the link and its real path); when a selected file's path contains a
 * backslash (see {@link safeRelativePath}). Other file-system errors (`EACCES` on a
 * folder, say) are passed on as they are.
 *
 * @example
 * ```ts
 * const selection = await selectFiles(srcPath, ['*.pyc', '*.so', 'data/*.txt']);
 * for (const pattern of selection.unmatched) console.warn(`no file matches ${pattern}`);
 * ```
 */
export async function selectFiles(
  rootDir: string,
  patterns: readonly string[],
  options: SelectOptions = {},
): Promise<Selection> {
  if (!Array.isArray(patterns)) {
    throw new StagingInputError({ message: 'cannot select files: patterns must be an array of strings' });
  }
  const exclude = options.exclude ?? DEFAULT_EXCLUDE;
  checkExclude(exclude);
  const parsed = patterns.map(parsePattern);
  const realRoot = await realRootOf(rootDir);
  const ignore = exclude.map(pruneGlob).filter((glob) => glob !== undefined);

  const walks = await Promise.all(parsed.map((pattern) => walk(realRoot, pattern, exclude, ignore)));

  const paths = new Set<string>();
  const unmatched: string[] = [];
  const skipped = new Map<string, SkippedLink>();
  walks.forEach((found, index) => {
    const pattern = patterns[index] ?? '';
    if (found.files.length === 0 && !unmatched.includes(pattern)) unmatched.push(pattern);
    for (const path of found.files) paths.add(path);
    for (const link of found.skipped) skipped.set(link.path, link);
  });

  const files = await Promise.all([...paths].sort(byCodeUnits).map((path) => describe(realRoot, path)));
  return {
    rootDir: realRoot,
    files: files.filter((file) => file !== undefined),
    unmatched,
    skippedLinks: [...skipped.values()].sort((a, b) => byCodeUnits(a.path, b.path)),
  };
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

async function realRootOf(rootDir: string): Promise<string> {
  if (typeof rootDir !== 'string' || rootDir === '' || rootDir.includes('\0')) {
    throw new StagingInputError({
      message: `cannot select files: root folder ${JSON.stringify(rootDir)} is not a usable path`,
      path: String(rootDir),
    });
  }
  const absolute = resolve(rootDir);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    const code = errorCode(error);
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be reached (${code ?? String(error)})`;
    throw new StagingInputError({ message: `cannot select files: root folder "${absolute}" ${why}`, path: absolute, cause: error });
  }
  if (!(await stat(real)).isDirectory()) {
    throw new StagingInputError({ message: `cannot select files: root "${absolute}" is not a folder`, path: absolute });
  }
  return real;
}

interface Found {
  readonly files: readonly string[];
  readonly skipped: readonly SkippedLink[];
}

const NOTHING: Found = { files: [], skipped: [] };

async function walk(realRoot: string, pattern: ParsedPattern, exclude: readonly string[], ignore: string[]): Promise<Found> {
  if (pattern.folder !== '') {
    if (isExcluded(`${pattern.folder}/`, exclude)) return NOTHING;
    // fast-glob reads the folder itself without asking about links, so it is checked here.
    const folder = posix.join(realRoot, pattern.folder);
    let real: string;
    try {
      real = await realpath(folder);
    } catch {
      return NOTHING;
    }
    if (!isInside(realRoot, real)) {
      throw new StagingInputError({
        message: `cannot select files: folder "${pattern.folder}" of pattern "${pattern.pattern}" leads outside the root "${realRoot}" (its real path is "${real}")`,
        path: pattern.folder,
        pattern: pattern.pattern,
      });
    }
    if (!(await stat(real)).isDirectory()) return NOTHING;
  }

  const records = new Map<string, LinkRecord>();
  const entries = await fg(pattern.glob, {
    cwd: realRoot,
    dot: true,
    // Links and other non-files are kept so that broken and outside links can be reported.
    onlyFiles: false,
    objectMode: true,
    followSymbolicLinks: true,
    throwErrorOnBrokenSymbolicLink: false,
    unique: true,
    ignore,
    fs: guardedFileSystem(realRoot, records),
  });

  const outsideLink = (record: LinkRecord): StagingInputError =>
    new StagingInputError({
      message: `cannot select files: link "${record.path}" (pattern "${pattern.pattern}") leads outside the root "${realRoot}", to "${record.target}"`,
      path: record.path,
      pattern: pattern.pattern,
    });

  const skipped: SkippedLink[] = [];
  for (const record of [...records.values()].sort((a, b) => byCodeUnits(a.path, b.path))) {
    if (record.kind === 'outside-dir' && !isExcluded(`${record.path}/`, exclude)) throw outsideLink(record);
    if (record.kind === 'cycle' && !isExcluded(`${record.path}/`, exclude)) {
      skipped.push({ path: record.path, target: record.target, reason: 'cycle' });
    }
  }

  const files: string[] = [];
  for (const entry of entries) {
    if (isExcluded(entry.path, exclude)) continue;
    if (entry.dirent.isFile()) {
      files.push(entry.path);
    } else if (entry.dirent.isSymbolicLink()) {
      const record = records.get(entry.path);
      if (record?.kind === 'outside-file' || record?.kind === 'outside-dir') throw outsideLink(record);
      if (record?.kind !== 'cycle') skipped.push({ path: entry.path, target: record?.target ?? '', reason: 'broken' });
    }
  }
  return { files, skipped };
}

async function describe(realRoot: string, path: string): Promise<SelectedFile | undefined> {
  if (safeRelativePath(path) !== path) {
    throw new StagingInputError({ message: `cannot select files: file path ${JSON.stringify(path)} is not canonical`, path });
  }
  const absolutePath = posix.join(realRoot, path);
  let stats;
  try {
    // Synchronous on purpose: with the folder just walked, a stat is a couple of µs, and a
    // thread-pool round trip per file cost several times the whole unchanged re-copy's rest.
    stats = statSync(absolutePath);
  } catch (error) {
    // Gone since the walk saw it: there is nothing to copy any more.
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  if (!stats.isFile()) return undefined;
  return { path, absolutePath, size: stats.size, mode: stats.mode & 0o777, mtimeMs: stats.mtimeMs, ino: stats.ino };
}
