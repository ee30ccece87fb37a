import { createHash, randomBytes, type Hash } from 'node:crypto';
import { constants, type promises as fsp } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readFile, realpath, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { FileRequest } from '@hostgrid/protocol';

interface OpenFile {
  readonly handle: fsp.FileHandle;
  readonly partial: string;
  readonly path: string;
  readonly hash: Hash;
  size: number;
  /** Writes and the commit of one file run one after another, in arrival order. */
  tail: Promise<unknown>;
}

/** A path the agent refuses to touch; its message names the path and the rule. */
export class PathRefusedError extends Error {
  override readonly name = 'PathRefusedError';
}

/**
 * The host agent's file operations for staging, confined: every path must be absolute,
 * normalised (no `.` or `..` segments) and inside a root, and its real location (links
 * resolved) must be inside that root's real location too. Roots are the folders the
 * agent made with `fs-mktemp` and the folders the controller named with `fs-mkdir` (a
 * host's configured temp path) — nothing else on the host can be written, read, removed
 * or run. Files are written under a temporary name beside the target (opened with
 * `O_EXCL | O_NOFOLLOW`), their size and SHA-256 checked, then renamed into place.
 */
export class AgentFiles {
  /** Each root as given, and where it really is (links resolved). */
  readonly #roots = new Map<string, string>();
  readonly #open = new Map<number, OpenFile>();
  #nextHandle = 1;

  /** Carries out one request and returns its reply value. @throws for refused paths and failed operations */
  async handle(request: FileRequest): Promise<unknown> {
    switch (request.type) {
      case 'fs-mktemp': {
        if (!/^[\w.-]*$/.test(request.prefix)) throw new PathRefusedError(`temp folder prefix ${JSON.stringify(request.prefix)} may only hold letters, digits, ".", "_" and "-"`);
        const path = await mkdtemp(join(tmpdir(), request.prefix));
        this.#roots.set(path, await realpath(path));
        return path;
      }
      case 'fs-mkdir': {
        const path = checkShape(request.path);
        if (path === sep) throw new PathRefusedError('"/" cannot be a temp folder; refused');
        // A folder the controller names is a temp path it was configured with: a root from now on.
        const made = await mkdir(path, { recursive: true, mode: 0o755 });
        const info = await lstat(path);
        if (!info.isDirectory()) throw new Error(`"${path}" exists and is not a folder`);
        if (this.#rootOf(path) === undefined) this.#roots.set(path, await realpath(path));
        return made !== undefined;
      }
      case 'fs-open': {
        const path = await this.confine(request.path, false);
        await mkdir(dirname(path), { recursive: true });
        await this.confine(path, false);
        const partial = join(dirname(path), `.${randomBytes(6).toString('hex')}.hostgrid-partial`);
        const handle = await open(partial, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, request.mode & 0o7777);
        const id = this.#nextHandle++;
        this.#open.set(id, { handle, partial, path, hash: createHash('sha256'), size: 0, tail: Promise.resolve() });
        return id;
      }
      case 'fs-write': {
        const file = this.#file(request.handle);
        return this.#after(file, async () => {
          await file.handle.write(request.data);
          file.hash.update(request.data);
          file.size += request.data.byteLength;
          return null;
        });
      }
      case 'fs-commit': {
        const file = this.#file(request.handle);
        this.#open.delete(request.handle);
        return this.#after(file, () => commit(file, request.size, request.sha256));
      }
      case 'fs-abort': {
        const file = this.#open.get(request.handle);
        this.#open.delete(request.handle);
        if (file !== undefined) await this.#after(file, () => discard(file));
        return null;
      }
      case 'fs-read': {
        const path = await this.confine(request.path, false);
        try {
          return await readFile(path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw error;
        }
      }
      case 'fs-remove': {
        const path = await this.confine(request.path, true);
        await rm(path, { recursive: true, force: true });
        return null;
      }
      default:
        return request satisfies never;
    }
  }

  /**
   * The path, checked: absolute, normalised, inside a root, and (its existing part, links
   * resolved) still inside that root. `mayBeRoot` allows a root itself (for removal).
   *
   * @throws {@link PathRefusedError}
   */
  async confine(path: string, mayBeRoot: boolean): Promise<string> {
    checkShape(path);
    const root = this.#rootOf(path);
    if (root === undefined || (path === root && !mayBeRoot)) {
      throw new PathRefusedError(`"${path}" is outside the temp folders this agent made or was given; refused`);
    }
    // The deepest part that exists decides where the path really leads.
    const realRoot = this.#roots.get(root)!;
    let existing = path;
    for (;;) {
      try {
        const real = await realpath(existing);
        if (real !== realRoot && !real.startsWith(realRoot + sep)) throw new PathRefusedError(`"${path}" leads outside its temp folder through a link; refused`);
        break;
      } catch (error) {
        if (error instanceof PathRefusedError) throw error;
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // A removed root holds nothing: the operation finds that out itself.
        if (existing === root) break;
        existing = dirname(existing);
      }
    }
    return path;
  }

  /** Drops every file still open (the connection ended): nothing half-written stays. */
  async abortAll(): Promise<void> {
    const files = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(files.map(discard));
  }

  /** The root a path lies in (the deepest, when roots nest). */
  #rootOf(path: string): string | undefined {
    let found: string | undefined;
    for (const root of this.#roots.keys()) {
      if ((path === root || path.startsWith(root === sep ? root : root + sep)) && (found === undefined || root.length > found.length)) found = root;
    }
    return found;
  }

  /** Runs `step` after the file's earlier steps, even failed ones (whose error their own request reported). */
  #after<T>(file: OpenFile, step: () => Promise<T>): Promise<T> {
    const next = file.tail.then(step, step);
    file.tail = next.catch(() => undefined);
    return next;
  }

  #file(handle: number): OpenFile {
    const file = this.#open.get(handle);
    if (file === undefined) throw new Error(`no open file with handle ${handle}`);
    return file;
  }
}

/** Checks that a path is absolute and normalised. @throws {@link PathRefusedError} */
function checkShape(path: string): string {
  if (!isAbsolute(path) || normalize(path) !== path || path.includes('\0') || (path.length > 1 && path.endsWith(sep))) {
    throw new PathRefusedError(`"${path}" is not an absolute, normalised path (no ".", "..", "//" or trailing "/"); refused`);
  }
  return path;
}

/** Closes a written file and renames it into place when its size and SHA-256 match; drops it otherwise. */
async function commit(file: OpenFile, size: number, expected: string): Promise<null> {
  try {
    const sha256 = file.hash.digest('hex');
    if (file.size !== size || sha256 !== expected) {
      throw new Error(`"${file.path}" arrived damaged: ${file.size} bytes with SHA-256 ${sha256}, expected ${size} bytes with ${expected}`);
    }
    await file.handle.close();
    await rename(file.partial, file.path);
    return null;
  } catch (error) {
    await discard(file);
    throw error;
  }
}

async function discard(file: OpenFile): Promise<void> {
  await file.handle.close().catch(() => undefined);
  await unlink(file.partial).catch(() => undefined);
}
