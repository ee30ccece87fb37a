import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { localRealPath } from '@hostgrid/staging';
import type { HostFiles } from './transport.js';

/**
 * Writes a file through a temporary name beside it, renamed into place only once whole
 * (with its mode set), so that a write cut off half way leaves nothing under `path`. The
 * name is random and made exclusively (`O_EXCL`): a link planted at it fails the write
 * instead of being followed, and the rename replaces a link at `path` rather than follow
 * it. A `repeatable` write (a copy, not a one-shot stream) is tried before its folder is made.
 */
async function atomically(path: string, mode: number, write: (partial: string) => Promise<unknown>, repeatable: boolean): Promise<void> {
  const partial = join(dirname(path), `.${randomBytes(6).toString('hex')}.hostgrid-partial`);
  try {
    if (!repeatable) {
      await mkdir(dirname(path), { recursive: true });
      await write(partial);
    } else {
      try {
        await write(partial);
      } catch (error) {
        // The folder is made only when missing: one system call less for every other file.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await mkdir(dirname(path), { recursive: true });
        await write(partial);
      }
    }
    await chmod(partial, mode);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * {@link HostFiles} for hosts that are this machine (the local and in-memory
 * transports): plain `node:fs`, with atomic writes through a temporary name, and kernel
 * copies (`copyLocalFile`) for files that are already on this machine.
 */
export function localHostFiles(host: string): HostFiles {
  const fail = (what: string, path: string, error: unknown): Error =>
    new Error(`[hostgrid] cannot ${what} "${path}" on host "${host}": ${(error as Error).message}`, { cause: error });
  return {
    sharesControllerFileSystem: true,
    async makeTempDir(prefix) {
      try {
        return await mkdtemp(join(tmpdir(), prefix));
      } catch (error) {
        throw fail('make a temp folder in', tmpdir(), error);
      }
    },
    async makeDir(path) {
      try {
        const made = await mkdir(path, { recursive: true });
        if (made === undefined && !(await stat(path)).isDirectory()) throw new Error('it exists and is not a folder');
        return made !== undefined;
      } catch (error) {
        throw fail('make folder', path, error);
      }
    },
    async writeFile(path, data, mode) {
      try {
        await atomically(path, mode, (partial) => pipeline(Readable.from(data, { objectMode: false }), createWriteStream(partial, { mode, flags: 'wx' })), false);
      } catch (error) {
        throw fail('write', path, error);
      }
    },
    async copyLocalFile(localPath, path, mode) {
      try {
        await atomically(path, mode, (partial) => copyFile(localPath, partial, constants.COPYFILE_EXCL), true);
      } catch (error) {
        throw fail('write', path, error);
      }
    },
    async realPath(path) {
      try {
        return await localRealPath(path);
      } catch (error) {
        throw fail('resolve', path, error);
      }
    },
    async readFile(path) {
      try {
        return await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw fail('read', path, error);
      }
    },
    async remove(path) {
      try {
        await rm(path, { recursive: true, force: true });
      } catch (error) {
        throw fail('remove', path, error);
      }
    },
  };
}
