import { rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HashCache, StagingInputError, buildManifest, selectFiles, type Manifest, type SelectedFile, type Selection } from '@hostgrid/staging';
import { HostgridError, StagingError } from './errors.js';
import type { ResolvedHost } from './host-spec.js';
import { GRID_FOLDER, StagingRoot, gridFile, type StageOutcome, type StageProgress } from './stager.js';
import type { Transport } from './transport.js';

/** Heartbeat timing, for transports whose file connections later carry workers. */
type Link = { readonly intervalMs: number; readonly misses: number };

/** Options of `grid.copyFiles`. */
export interface CopyOptions {
  /** Copy to these hosts only (names). @defaultValue every host */
  readonly hosts?: readonly string[];
  /** Drop every file whose path contains one of these strings. @defaultValue `['.git/', 'node_modules/.cache/']` */
  readonly exclude?: readonly string[];
}

/** What `grid.copyFiles` did on one host. */
export interface HostCopyReport extends StageOutcome {
  readonly host: string;
  /** The host's temp path, where the files now are. */
  readonly tempPath: string;
  /** Set when the host shares its temp path with an earlier host of the report, which did the copy. */
  readonly sharedWith?: string;
}

/** What `grid.copyFiles` did. */
export interface CopyReport {
  /** Files selected, and their total size. */
  readonly files: number;
  readonly bytes: number;
  /** One entry per host copied to. */
  readonly hosts: readonly HostCopyReport[];
  /** Patterns that matched no file: a warning, not an error. */
  readonly unmatched: readonly string[];
}

/** Progress of staging on one host, as the grid's `staging-progress` event reports it. */
export interface StagingProgressEvent extends StageProgress {
  readonly host: string;
}

/**
 * The grid's temp paths and what is staged in them: the seed's `initialise` and
 * `copy_files`. Every host gets a temp path (its own, or one shared by all); files are
 * sent only when the host's manifest says it lacks them; nothing is written outside a
 * temp path.
 */
export class StagingArea {
  readonly #transport: Transport;
  readonly #link: Link;
  readonly #roots: Map<string, StagingRoot>;
  /** The one root of `sharedTempPath`, when the hosts share one. */
  readonly #shared: StagingRoot | undefined;
  /** Roots of hosts that joined again under the same name: removed at cleanup too. */
  readonly #retired: StagingRoot[] = [];
  readonly #hashes = new HashCache();
  /** Aborted by `halt` (terminate): every copy under way stops, and none starts. */
  readonly #halt = new AbortController();
  /** The worker entry last staged, for hosts that join later. */
  #worker: { file: SelectedFile; manifest: Manifest } | undefined;
  /** The copies made to every host, in order, for hosts that join later. */
  readonly #copies: Array<{ rootDir: string; patterns: readonly string[]; exclude: readonly string[] | undefined }> = [];
  /**
   * `copy` and `addHost` run one at a time: a copy must see every host that joined before
   * it, and a joining host every copy made before it (else a copy to all hosts that runs
   * while a host is staged reaches neither the host nor its replay).
   */
  #membership: Promise<unknown> = Promise.resolve();

  private constructor(transport: Transport, link: Link, roots: Map<string, StagingRoot>, shared: StagingRoot | undefined) {
    this.#transport = transport;
    this.#link = link;
    this.#roots = roots;
    this.#shared = shared;
  }

  /**
   * Makes every host's temp path: `host.tempPath` when set, else a new folder in the
   * host's temporary directory; or `sharedTempPath` once, for hosts that all see it.
   *
   * @throws {@link StagingError} naming the host and the path that could not be made
   */
  static async prepare(transport: Transport, hosts: readonly ResolvedHost[], sharedTempPath: string | undefined, link: Link): Promise<StagingArea> {
    const roots = new Map<string, StagingRoot>();
    if (sharedTempPath !== undefined) {
      const first = hosts[0]!;
      const made = await makeTempPath(transport, first, sharedTempPath, link);
      const root = new StagingRoot(hosts.map((host) => host.name), transport.files(first, link), made.path, made.created, made.realPath);
      for (const host of hosts) roots.set(host.name, root);
      return new StagingArea(transport, link, roots, root);
    }
    const made = await Promise.allSettled(hosts.map((host) => makeTempPath(transport, host, host.tempPath, link)));
    made.forEach((outcome, i) => {
      const host = hosts[i]!;
      if (outcome.status === 'fulfilled') {
        const { path, created, realPath } = outcome.value;
        roots.set(host.name, new StagingRoot([host.name], transport.files(host, link), path, created, realPath));
      }
    });
    const area = new StagingArea(transport, link, roots, undefined);
    const failed = made.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) {
      await area.cleanup();
      throw failed.reason;
    }
    return area;
  }

  /**
   * Gives a host that joins a running grid what the others have: its temp path (or the
   * shared one), the worker runtime, and again every `copy` that was made to all hosts
   * (the files as they are now). A host of a known name gets a fresh temp path; the old
   * one is removed with the others at cleanup.
   *
   * @throws {@link StagingError} as `prepare` and `copy` do; the host is then not added
   */
  addHost(host: ResolvedHost, onProgress: (event: StagingProgressEvent) => void): Promise<void> {
    return this.#exclusive(() => this.#addHost(host, onProgress));
  }

  async #addHost(host: ResolvedHost, onProgress: (event: StagingProgressEvent) => void): Promise<void> {
    const signal = this.#halt.signal;
    signal.throwIfAborted();
    let root = this.#shared;
    if (root === undefined) {
      const made = await makeTempPath(this.#transport, host, host.tempPath, this.#link);
      root = new StagingRoot([host.name], this.#transport.files(host, this.#link), made.path, made.created, made.realPath);
    }
    const progress = (p: StageProgress): void => onProgress({ host: host.name, ...p });
    try {
      if (this.#worker !== undefined) await root.stage([this.#worker.file], this.#worker.manifest, progress, signal);
      for (const copy of this.#copies) {
        const selection = await selectFiles(copy.rootDir, copy.patterns, copy.exclude === undefined ? {} : { exclude: copy.exclude });
        await root.stage(selection.files, await buildManifest(selection, this.#hashes), progress, signal);
      }
    } catch (error) {
      if (root !== this.#shared) await root.removeIfMade().catch(() => undefined);
      throw error instanceof HostgridError ? error : new StagingError({ host: host.name, message: `cannot stage on host "${host.name}": ${(error as Error).message}`, cause: error });
    }
    const old = this.#roots.get(host.name);
    if (old !== undefined && old !== root) this.#retired.push(old);
    if (!root.hosts.includes(host.name)) root.hosts.push(host.name);
    this.#roots.set(host.name, root);
  }

  /** Forgets a host that could not be added after all, removing the temp path made for it. */
  dropHost(name: string): Promise<void> {
    // After any copy that counted the host in, so that it does not write into a removed folder.
    return this.#exclusive(async () => {
      const root = this.#roots.get(name);
      if (root === undefined) return;
      this.#roots.delete(name);
      const at = root.hosts.indexOf(name);
      if (at >= 0) root.hosts.splice(at, 1);
      if (root === this.#shared) return;
      await root.removeIfMade().catch(() => undefined);
    });
  }

  /** The host's temp path. */
  tempPathOf(host: string): string {
    return this.#root(host).path;
  }

  /** The absolute path on the host of a path relative to its temp path. */
  pathOn(host: string, relative: string): string {
    return this.#root(host).resolve(relative);
  }

  /**
   * Stages a worker entry (the bundled runtime, or a `setLoader` file) into every temp
   * path's grid folder; skipped where the same content is already there.
   *
   * @returns the entry's path relative to a temp path
   */
  async stageWorker(entry: string, onProgress: (event: StagingProgressEvent) => void): Promise<string> {
    const file = await fileOf(entry, gridFile(basename(entry)));
    const local = await buildManifest({ files: [file] }, this.#hashes);
    this.#worker = { file, manifest: local };
    await Promise.all(this.#distinctRoots().map((root) => root.stage([file], local, (p) => onProgress({ host: root.hosts[0]!, ...p }), this.#halt.signal)));
    return file.path;
  }

  /**
   * Copies the files the patterns select under `rootDir` to the hosts' temp paths,
   * keeping their paths relative to `rootDir`.
   *
   * @throws {@link StagingError} for bad input (nothing is sent then), a failed write, or a
   *   link that would take a write outside a temp path; the `halt` reason once halted
   */
  copy(rootDir: string, patterns: readonly string[], options: CopyOptions, onProgress: (event: StagingProgressEvent) => void): Promise<CopyReport> {
    return this.#exclusive(() => this.#copy(rootDir, patterns, options, onProgress));
  }

  async #copy(rootDir: string, patterns: readonly string[], options: CopyOptions, onProgress: (event: StagingProgressEvent) => void): Promise<CopyReport> {
    const signal = this.#halt.signal;
    signal.throwIfAborted();
    if (!Array.isArray(patterns) || patterns.some((pattern) => typeof pattern !== 'string')) {
      throw new StagingError({ path: rootDir, message: 'copyFiles(rootDir, patterns) needs an array of pattern strings, e.g. ["*.js", "data/*.txt"]' });
    }
    const hosts = options.hosts ?? [...this.#roots.keys()];
    for (const host of hosts) if (!this.#roots.has(host)) throw new StagingError({ host, message: `copyFiles: no host "${host}" in this grid; its hosts are ${[...this.#roots.keys()].join(', ')}` });
    let selection: Selection;
    try {
      selection = await selectFiles(rootDir, patterns, options.exclude === undefined ? {} : { exclude: options.exclude });
    } catch (error) {
      if (error instanceof StagingInputError) throw new StagingError({ path: error.path ?? rootDir, message: error.message.replace(/^\[hostgrid\] /, '[hostgrid] copyFiles: '), cause: error });
      throw error;
    }
    const reserved = selection.files.find((file) => file.path === GRID_FOLDER || file.path.startsWith(`${GRID_FOLDER}/`));
    if (reserved !== undefined) {
      throw new StagingError({ path: reserved.path, message: `copyFiles: "${reserved.path}" is inside "${GRID_FOLDER}/", which Hostgrid keeps for itself in every temp path; exclude it` });
    }
    const local = await buildManifest(selection, this.#hashes);
    const roots = [...new Set(hosts.map((host) => this.#root(host)))];
    const outcomes = await Promise.all(roots.map((root) => root.stage(selection.files, local, (p) => onProgress({ host: root.hosts.find((h) => hosts.includes(h))!, ...p }), signal)));
    if (options.hosts === undefined) this.#copies.push({ rootDir, patterns: [...patterns], exclude: options.exclude === undefined ? undefined : [...options.exclude] });
    const reports: HostCopyReport[] = [];
    roots.forEach((root, i) => {
      const copiedBy = root.hosts.find((host) => hosts.includes(host))!;
      for (const host of root.hosts.filter((h) => hosts.includes(h))) {
        reports.push({ host, tempPath: root.path, ...outcomes[i]!, ...(host === copiedBy ? {} : { sharedWith: copiedBy }) });
      }
    });
    return { files: selection.files.length, bytes: selection.files.reduce((n, file) => n + file.size, 0), hosts: reports, unmatched: selection.unmatched };
  }

  /**
   * The URL a host imports a published class's module from: its staged copy; else, on a
   * host that shares this machine's files, the module itself.
   *
   * @throws {@link StagingError} naming the file and the `copyFiles` call that would fix it
   */
  moduleFor(host: string, module: string): string {
    if (!module.startsWith('file:')) return module;
    const root = this.#root(host);
    const path = fileURLToPath(module);
    const staged = root.staged.get(path);
    if (staged !== undefined) return pathToFileURL(staged).href;
    if (root.files.sharesControllerFileSystem) return module;
    throw new StagingError({
      host,
      path,
      message: `module "${path}" is not staged on host "${host}": copy it (and the modules it imports) first, e.g. await grid.copyFiles("${pathDir(path)}", ["*.js"])`,
    });
  }

  /**
   * Removes, synchronously, the temp paths the grid made on hosts that share this
   * machine's files: for process exit and signals, when nothing asynchronous can run.
   * Folders on other hosts are left (their removal needs the network).
   */
  removeLocalSync(): void {
    for (const root of this.#distinctRoots()) {
      if (!root.created || !root.files.sharesControllerFileSystem) continue;
      try {
        rmSync(root.path, { recursive: true, force: true });
      } catch {
        // The process is going down: nothing to report to.
      }
    }
  }

  /**
   * Stops every copy and host staging under way (each rejects with `reason`; a file being
   * streamed stops at its next chunk) and any queued after them, and resolves once they
   * have ended: from then on nothing writes into the temp paths, and `cleanup` removes
   * them for good (a copy left running would make its folders again).
   */
  halt(reason: Error): Promise<void> {
    this.#halt.abort(reason);
    return this.#membership.then(() => undefined);
  }

  /**
   * Removes the temp paths the grid made (and only those), each only where it still is.
   *
   * @throws {@link StagingError} when one could not be removed, or leads elsewhere now
   */
  async cleanup(): Promise<void> {
    // A retired root belonged to a host that went away: remove it if it can be, quietly.
    await Promise.allSettled(this.#retired.map((root) => root.removeIfMade()));
    const outcomes = await Promise.allSettled(this.#distinctRoots().map((root) => root.removeIfMade()));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw new StagingError({ message: `cannot remove a temp path: ${(failed.reason as Error).message.replace(/^\[hostgrid\] /, '')}`, cause: failed.reason });
  }

  /** Runs `task` after every earlier `copy` and `addHost` has ended. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#membership.then(task);
    this.#membership = run.catch(() => undefined);
    return run;
  }

  #root(host: string): StagingRoot {
    const root = this.#roots.get(host);
    if (root === undefined) throw new StagingError({ host, message: `no host "${host}" in this grid` });
    return root;
  }

  #distinctRoots(): StagingRoot[] {
    return [...new Set(this.#roots.values())];
  }
}

/**
 * Makes a host's temp path: `path` when given (made if missing), else a new folder in
 * the host's temporary directory.
 *
 * @throws {@link StagingError} naming the host and the path that could not be made
 */
async function makeTempPath(transport: Transport, host: ResolvedHost, path: string | undefined, link: Link): Promise<{ path: string; created: boolean; realPath: string | undefined }> {
  const files = transport.files(host, link);
  try {
    const made = path === undefined ? { path: await files.makeTempDir('hostgrid-'), created: true } : { path, created: await files.makeDir(path) };
    // Where it really is now: every write is checked against it (links above it are fine; links in it, or a swap later, are not).
    if (files.realPath === undefined) return { ...made, realPath: undefined };
    const realPath = await files.realPath(made.path);
    if (realPath === undefined) throw new Error('it was gone right after it was made');
    return { ...made, realPath };
  } catch (error) {
    // A transport's own errors (a refused host key, a failed login) already say it all.
    if (error instanceof HostgridError) throw error;
    const where = path === undefined ? 'a new folder in its temporary directory' : `"${path}"`;
    throw new StagingError({ host: host.name, path, message: `cannot make the temp path ${where} on host "${host.name}": ${(error as Error).message}`, cause: error });
  }
}

async function fileOf(absolutePath: string, path: string): Promise<SelectedFile> {
  const info = await stat(absolutePath);
  return { path, absolutePath, size: info.size, mode: info.mode & 0o777, mtimeMs: info.mtimeMs, ino: info.ino };
}

function pathDir(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}
