import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StagingInputError } from './errors.js';
import { safeRelativePath } from './path-safety.js';
import type { SelectedFile, Selection } from './select.js';

/** What a host holds of one file. */
export interface ManifestEntry {
  /** Size in bytes. */
  readonly size: number;
  /** Permission bits, `0` to `0o777`. */
  readonly mode: number;
  /** SHA-256 of the contents, 64 lowercase hex digits. */
  readonly hash: string;
}

/**
 * What a host holds (or what is to be copied): entries keyed by POSIX path relative to
 * the host's temp path. Keys are own properties; look them up with `Object.hasOwn`
 * (a file may be called `__proto__` or `constructor`).
 */
export type Manifest = Readonly<Record<string, ManifestEntry>>;

/** Hashes one file: SHA-256 of its contents, as lowercase hex. */
export type FileHasher = (absolutePath: string) => Promise<string>;

/** How many files {@link buildManifest} hashes at once, by default. */
export const DEFAULT_HASH_CONCURRENCY = 8;

const EMPTY_MANIFEST: Manifest = Object.freeze({});
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * SHA-256 of a file's contents, read as a stream (so any size fits in memory).
 *
 * @param absolutePath - The file to read.
 * @returns 64 lowercase hex digits.
 * @throws the file system's error when the file cannot be read.
 *
 * @example
 * ```ts
 * await hashFile('/tmp/empty'); // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 * ```
 */
export async function hashFile(absolutePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(absolutePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What a {@link HashCache} needs to know of a file: the fields of a {@link SelectedFile} that identify its contents. */
export type HashableFile = Pick<SelectedFile, 'absolutePath' | 'size' | 'mtimeMs' | 'ino'>;

/** Options of a {@link HashCache}. */
export interface HashCacheOptions {
  /**
   * How to hash a file when the cache does not know it (tests count calls through it).
   *
   * @default hashFile
   */
  readonly hashFile?: FileHasher;
}

interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly hash: Promise<string>;
}

/**
 * Remembers files' hashes, in memory, for the life of the process, so that copying an
 * unchanged tree again does not read it again. A hash is reused only while the file's
 * absolute path, size, modification time and inode are all the same; a change to any of
 * them (an edit, a replacement by rename) hashes the file again. Two requests for the
 * same file at once share one read.
 *
 * Like every tool that trusts modification times (make, rsync's default, git), it can
 * miss an edit that keeps the size and lands within the file system's timestamp
 * resolution of the previous one.
 *
 * @example
 * ```ts
 * const cache = new HashCache();
 * const first = await buildManifest(await selectFiles(root, ['*.py']), cache);
 * const again = await buildManifest(await selectFiles(root, ['*.py']), cache); // reads nothing
 * ```
 */
export class HashCache {
  readonly #hashFile: FileHasher;
  readonly #entries = new Map<string, CacheEntry>();

  constructor(options: HashCacheOptions = {}) {
    this.#hashFile = options.hashFile ?? hashFile;
  }

  /** How many files the cache holds a hash for. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The file's SHA-256, from the cache when the file is unchanged, else read (and remembered).
   *
   * @throws the hasher's error when the file cannot be read (nothing is remembered then).
   */
  hash(file: HashableFile): Promise<string> {
    const known = this.#entries.get(file.absolutePath);
    if (known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs && known.ino === file.ino) {
      return known.hash;
    }
    const entry: CacheEntry = { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino, hash: this.#hashFile(file.absolutePath) };
    this.#entries.set(file.absolutePath, entry);
    entry.hash.catch(() => {
      if (this.#entries.get(file.absolutePath) === entry) this.#entries.delete(file.absolutePath);
    });
    return entry.hash;
  }

  /** Forgets every hash. */
  clear(): void {
    this.#entries.clear();
  }
}

/** Options of {@link buildManifest}. */
export interface BuildManifestOptions {
  /**
   * How many files are hashed at once.
   *
   * @default DEFAULT_HASH_CONCURRENCY (8)
   */
  readonly concurrency?: number;
}

/**
 * The manifest of a selection: each file's size, permission bits and SHA-256, keyed by
 * its path. Files are hashed a few at a time (see {@link BuildManifestOptions}), through
 * `cache` when one is given.
 *
 * @param selection - What {@link selectFiles} returned (only `files` is used).
 * @param cache - Hashes remembered from earlier calls; without one every file is read.
 * @param options - See {@link BuildManifestOptions}.
 * @throws StagingInputError when `concurrency` is not a positive integer, or a file's
 * path is not a canonical safe relative path, or two files share a path.
 * @throws the file system's error when a file cannot be read.
 *
 * @example
 * ```ts
 * const local = await buildManifest(await selectFiles(root, ['data/*.txt']), cache);
 * ```
 */
export async function buildManifest(
  selection: Pick<Selection, 'files'>,
  cache?: HashCache,
  options: BuildManifestOptions = {},
): Promise<Manifest> {
  const concurrency = options.concurrency ?? DEFAULT_HASH_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new StagingInputError({ message: `cannot build a manifest: concurrency must be a positive integer, got ${concurrency}` });
  }
  const files = selection.files;
  const seen = new Set<string>();
  for (const file of files) {
    if (safeRelativePath(file.path) !== file.path || seen.has(file.path)) {
      throw new StagingInputError({
        message: `cannot build a manifest: file path ${JSON.stringify(file.path)} is not canonical or appears twice`,
        path: file.path,
      });
    }
    seen.add(file.path);
  }

  const hashOf = (file: SelectedFile): Promise<string> => (cache === undefined ? hashFile(file.absolutePath) : cache.hash(file));
  const hashes: string[] = new Array<string>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      hashes[index] = await hashOf(files[index] as SelectedFile);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));

  const entries = files.map((file, index): [string, ManifestEntry] => [
    file.path,
    Object.freeze({ size: file.size, mode: file.mode & 0o777, hash: hashes[index] ?? '' }),
  ]);
  return freezeSorted(entries);
}

/**
 * Reads a manifest that came from a host. The host is not trusted: the bytes must be
 * UTF-8 JSON of an object whose keys are canonical safe relative paths (see
 * {@link safeRelativePath}) and whose values each have a non-negative integer `size`,
 * an integer `mode` from `0` to `0o777` and a 64-hex-digit lowercase `hash` (other
 * fields are dropped).
 *
 * Anything else, corrupt or invalid in any part, gives the empty manifest `{}` rather
 * than an error: a manifest only saves work, since a file it lists is not sent again.
 * An empty one makes every file be sent, which is always safe; trusting a bad one could
 * skip files or name paths outside the temp path.
 *
 * @param bytes - The manifest file's contents (bytes or text).
 * @returns The manifest, frozen; `{}` when it is not valid.
 *
 * @example
 * ```ts
 * const remote = parseManifest((await files.readFile(manifestPath)) ?? '{}');
 * ```
 */
export function parseManifest(bytes: Uint8Array | string): Manifest {
  let text: string;
  try {
    text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return EMPTY_MANIFEST;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return EMPTY_MANIFEST;
  }
  if (!isRecord(value)) return EMPTY_MANIFEST;
  const entries: [string, ManifestEntry][] = [];
  for (const [path, entry] of Object.entries(value)) {
    if (!isCanonicalPath(path) || !isRecord(entry)) return EMPTY_MANIFEST;
    const { size, mode, hash } = entry;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return EMPTY_MANIFEST;
    if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) return EMPTY_MANIFEST;
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) return EMPTY_MANIFEST;
    entries.push([path, Object.freeze({ size, mode, hash })]);
  }
  return freezeSorted(entries);
}

/**
 * A manifest as JSON text, for a host to keep: keys in code unit order, each entry's
 * fields in the order `size`, `mode`, `hash`, one entry a line; the same manifest always
 * gives the same text. {@link parseManifest} reads it back.
 *
 * @example
 * ```ts
 * serializeManifest({ 'a.txt': { size: 1, mode: 0o644, hash } });
 * // '{\n"a.txt":{"size":1,"mode":420,"hash":"…"}\n}\n'
 * ```
 */
export function serializeManifest(manifest: Manifest): string {
  const lines = Object.keys(manifest)
    .sort()
    .map((path) => {
      const { size, mode, hash } = manifest[path] as ManifestEntry;
      return `${JSON.stringify(path)}:${JSON.stringify({ size, mode, hash })}`;
    });
  return lines.length === 0 ? '{}\n' : `{\n${lines.join(',\n')}\n}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCanonicalPath(path: string): boolean {
  try {
    return safeRelativePath(path) === path;
  } catch {
    return false;
  }
}

/**
 * Own data properties only (`Object.fromEntries`), so a key `__proto__` stays a key.
 * Sorted for readable output; JavaScript still lists integer-like keys (`"2"`) first,
 * which is why {@link serializeManifest} and `planCopy` sort for themselves.
 */
function freezeSorted(entries: [string, ManifestEntry][]): Manifest {
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.freeze(Object.fromEntries(entries));
}
