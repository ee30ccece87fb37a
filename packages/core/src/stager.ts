import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { parseManifest, planCopy, resolveInside, resolveUnlinked, serializeManifest, type Manifest, type SelectedFile } from '@hostgrid/staging';
import { StagingError } from './errors.js';
import type { HostFiles } from './transport.js';

/** Where the grid keeps its own files inside a temp path (the manifest, the worker). */
export const GRID_FOLDER = '.hostgrid';
const MANIFEST = `${GRID_FOLDER}/manifest.json`;
const PARALLEL_WRITES = 8;
const CHUNK = 256 * 1024;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Progress of one copy to one staging root. */
export interface StageProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** What one copy did to one staging root. */
export interface StageOutcome {
  readonly filesSent: number;
  readonly bytesSent: number;
  readonly filesUnchanged: number;
  readonly bytesUnchanged: number;
}

/**
 * One temp path on one host (or shared by several), and the files staged there. Copies
 * to it run one at a time, so that its manifest is read and written by one copy only.
 * The manifest lists a file only after the file was written whole.
 */
export class StagingRoot {
  /** Names of the hosts that see this temp path (a host that joins a shared one is added). */
  readonly hosts: string[];
  readonly files: HostFiles;
  /** The temp path, absolute, on the host. */
  readonly path: string;
  /** Whether the grid made the folder (and so may remove it). */
  readonly created: boolean;
  /**
   * Where the temp path really was when the grid made or took it (`files.realPath`);
   * `undefined` for a transport without `realPath`, which confines writes on the host itself.
   */
  readonly realPath: string | undefined;
  /** Controller-side absolute path → path on the host, for every file staged here. */
  readonly staged = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(hosts: readonly string[], files: HostFiles, path: string, created: boolean, realPath: string | undefined) {
    this.hosts = [...hosts];
    this.files = files;
    this.path = path;
    this.created = created;
    this.realPath = realPath;
  }

  /** The absolute path on the host of a path relative to the temp path; never outside it (by its text). */
  resolve(relative: string): string {
    return resolveInside(this.path, relative);
  }

  /**
   * Removes the temp path, if the grid made it, and only if it is still where it was:
   * should a folder above it have been swapped for a link, `remove` would reach elsewhere.
   *
   * @throws {@link StagingError} naming the host and the path when it leads elsewhere now;
   *   the transport's error when it cannot be removed
   */
  async removeIfMade(): Promise<void> {
    if (!this.created) return;
    if (this.realPath !== undefined) {
      const real = await this.files.realPath!(this.path);
      // A folder above it is gone, and the temp path with it.
      if (real === undefined) return;
      if (real !== this.realPath) {
        throw new StagingError({
          host: this.hosts[0],
          path: this.path,
          message: `cannot remove the temp path "${this.path}" on host "${this.hosts[0]}": it now leads to ${JSON.stringify(real)}, not to "${this.realPath}" (a folder above it was moved or swapped for a link); it is left`,
        });
      }
    }
    await this.files.remove(this.path);
  }

  /**
   * Sends the files whose content or mode differ from what the host's manifest says it
   * holds, then records them in the manifest.
   *
   * Aborting `signal` stops the copy: no file is begun after it, a file being streamed
   * stops at its next chunk (leaving nothing under its name), and the copy rejects with
   * the signal's reason once the writes under way have ended.
   *
   * @throws {@link StagingError} naming the host and the file when a write fails or a link
   *   would take it outside the temp path (the files written before it still count as
   *   staged); `signal.reason` when aborted
   */
  stage(files: readonly SelectedFile[], local: Manifest, onProgress: (progress: StageProgress) => void, signal: AbortSignal): Promise<StageOutcome> {
    const run = this.#queue.then(() => this.#stage(files, local, onProgress, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #stage(files: readonly SelectedFile[], local: Manifest, onProgress: (progress: StageProgress) => void, signal: AbortSignal): Promise<StageOutcome> {
    signal.throwIfAborted();
    const remote = parseManifest((await this.#readManifest()) ?? '{}');
    const plan = planCopy(local, remote);
    const byPath = new Map(files.map((file) => [file.path, file]));
    const progress: Mutable<StageProgress> = { filesDone: 0, filesTotal: plan.send.length, bytesDone: 0, bytesTotal: plan.bytesToSend };
    onProgress({ ...progress });
    // A file about to be replaced leaves the manifest first: should the new one be written
    // but the manifest not, the host must not be thought to hold the old content.
    const replaced = plan.send.filter((path) => Object.hasOwn(remote, path));
    if (replaced.length > 0) {
      const kept: Record<string, Manifest[string]> = { ...remote };
      for (const path of replaced) delete kept[path];
      await this.#writeManifest(kept);
    }
    const written: Record<string, Manifest[string]> = {};
    const failures: unknown[] = [];
    // Each folder is checked once per copy; each file again, by a check that runs while
    // the transport opens its temporary name (no round trip more per file).
    const folders = new Map<string, Promise<string>>();
    const folderChecked = (path: string): Promise<string> => {
      const folder = posix.dirname(path) === '.' ? '' : posix.dirname(path);
      let checked = folders.get(folder);
      if (checked === undefined) {
        checked = this.#confine(folder);
        folders.set(folder, checked);
      }
      return checked;
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < plan.send.length && failures.length === 0 && !signal.aborted) {
        const path = plan.send[next++]!;
        const file = byPath.get(path)!;
        let fileChecked: Promise<string> | undefined;
        try {
          if (this.files.copyLocalFile === undefined) {
            await folderChecked(path);
            fileChecked = this.#confine(path);
            fileChecked.catch(() => undefined);
            await this.files.writeFile(this.resolve(path), this.#read(file.absolutePath, fileChecked, progress, onProgress, signal), file.mode);
          } else {
            await this.files.copyLocalFile(file.absolutePath, await this.#confine(path), file.mode);
            progress.bytesDone += file.size;
          }
        } catch (error) {
          // A refused check is the reason, not the write it stopped.
          const cause = (await fileChecked?.then(() => undefined, (refused: unknown) => refused)) ?? error;
          failures.push(new StagingError({ host: this.hosts[0], path, message: `cannot stage "${path}" on host "${this.hosts[0]}": ${reason(cause)}`, cause }));
          return;
        }
        written[path] = local[path]!;
        progress.filesDone++;
        onProgress({ ...progress });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, plan.send.length) }, lane));
    if (plan.send.length > 0 && Object.keys(written).length > 0) {
      const current: Record<string, Manifest[string]> = { ...remote };
      for (const path of replaced) delete current[path];
      await this.#writeManifest({ ...current, ...written });
    }
    const unchanged = new Set(plan.unchanged);
    for (const file of files) if (unchanged.has(file.path) || file.path in written) this.staged.set(file.absolutePath, this.resolve(file.path));
    // A write the abort cut short failed for that reason, whatever its own error says.
    signal.throwIfAborted();
    if (failures.length > 0) throw failures[0];
    return { filesSent: plan.send.length, bytesSent: plan.bytesToSend, filesUnchanged: plan.unchanged.length, bytesUnchanged: plan.bytesUnchanged };
  }

  async #readManifest(): Promise<Uint8Array | undefined> {
    try {
      return await this.files.readFile(await this.#confine(MANIFEST));
    } catch (error) {
      throw new StagingError({ host: this.hosts[0], path: MANIFEST, message: `cannot read the manifest on host "${this.hosts[0]}": ${reason(error)}`, cause: error });
    }
  }

  async #writeManifest(manifest: Manifest): Promise<void> {
    try {
      await this.files.writeFile(await this.#confine(MANIFEST), oneChunk(Buffer.from(serializeManifest(manifest))), 0o644);
    } catch (error) {
      throw new StagingError({ host: this.hosts[0], path: MANIFEST, message: `cannot update the manifest on host "${this.hosts[0]}": ${reason(error)}`, cause: error });
    }
  }

  /**
   * The absolute path on the host of a path relative to the temp path, checked on the host
   * (with `files.realPath`) to be reached through no link and in a temp path still where
   * it was; `''` is the temp path itself. @throws StagingInputError naming the path and where it leads
   */
  #confine(relative: string): Promise<string> {
    if (this.realPath === undefined) return Promise.resolve(relative === '' ? this.path : this.resolve(relative));
    return resolveUnlinked(this.path, this.realPath, relative, (path) => this.files.realPath!(path));
  }

  /**
   * A file's content, for `writeFile`; the first chunk only once `checked` resolved, so
   * that the transport, which renames the file into place after its last chunk, never
   * does so for a path the check refused (it rejects the write instead).
   */
  async *#read(path: string, checked: Promise<unknown>, progress: Mutable<StageProgress>, onProgress: (progress: StageProgress) => void, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    await checked;
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      progress.bytesDone += chunk.length;
      // A large file reports as it goes; small ones when they are done.
      if (chunk.length === CHUNK) onProgress({ ...progress });
      yield chunk;
    }
  }
}

/** An error's message without the `[hostgrid] ` it may start with, to go inside another. */
function reason(error: unknown): string {
  return (error as Error).message.replace(/^\[hostgrid\] /, '');
}

async function* oneChunk(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** A path inside the grid's own folder, e.g. the staged worker runtime. */
export function gridFile(name: string): string {
  return posix.join(GRID_FOLDER, name);
}
