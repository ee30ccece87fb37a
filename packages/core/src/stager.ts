import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { parseManifest, planCopy, resolveInside, serializeManifest, type Manifest, type SelectedFile } from '@hostgrid/staging';
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
  /** Controller-side absolute path → path on the host, for every file staged here. */
  readonly staged = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(hosts: readonly string[], files: HostFiles, path: string, created: boolean) {
    this.hosts = [...hosts];
    this.files = files;
    this.path = path;
    this.created = created;
  }

  /** The absolute path on the host of a path relative to the temp path; never outside it. */
  resolve(relative: string): string {
    return resolveInside(this.path, relative);
  }

  /**
   * Sends the files whose content or mode differ from what the host's manifest says it
   * holds, then records them in the manifest.
   *
   * @throws {@link StagingError} naming the host and the file when a write fails (the
   *   files written before it still count as staged)
   */
  stage(files: readonly SelectedFile[], local: Manifest, onProgress: (progress: StageProgress) => void): Promise<StageOutcome> {
    const run = this.#queue.then(() => this.#stage(files, local, onProgress));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #stage(files: readonly SelectedFile[], local: Manifest, onProgress: (progress: StageProgress) => void): Promise<StageOutcome> {
    const remote = parseManifest((await this.files.readFile(this.resolve(MANIFEST))) ?? '{}');
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
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < plan.send.length && failures.length === 0) {
        const path = plan.send[next++]!;
        const file = byPath.get(path)!;
        try {
          if (this.files.copyLocalFile === undefined) {
            await this.files.writeFile(this.resolve(path), this.#read(file.absolutePath, progress, onProgress), file.mode);
          } else {
            await this.files.copyLocalFile(file.absolutePath, this.resolve(path), file.mode);
            progress.bytesDone += file.size;
          }
        } catch (error) {
          failures.push(new StagingError({ host: this.hosts[0], path, message: `cannot stage "${path}" on host "${this.hosts[0]}": ${(error as Error).message}`, cause: error }));
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
    if (failures.length > 0) throw failures[0];
    return { filesSent: plan.send.length, bytesSent: plan.bytesToSend, filesUnchanged: plan.unchanged.length, bytesUnchanged: plan.bytesUnchanged };
  }

  async #writeManifest(manifest: Manifest): Promise<void> {
    try {
      await this.files.writeFile(this.resolve(MANIFEST), oneChunk(Buffer.from(serializeManifest(manifest))), 0o644);
    } catch (error) {
      throw new StagingError({ host: this.hosts[0], path: MANIFEST, message: `cannot update the manifest on host "${this.hosts[0]}": ${(error as Error).message}`, cause: error });
    }
  }

  async *#read(path: string, progress: Mutable<StageProgress>, onProgress: (progress: StageProgress) => void): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
      progress.bytesDone += chunk.length;
      // A large file reports as it goes; small ones when they are done.
      if (chunk.length === CHUNK) onProgress({ ...progress });
      yield chunk;
    }
  }
}

async function* oneChunk(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** A path inside the grid's own folder, e.g. the staged worker runtime. */
export function gridFile(name: string): string {
  return posix.join(GRID_FOLDER, name);
}
