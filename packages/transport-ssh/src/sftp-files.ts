import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { HostFiles } from '@hostgrid/core';
import type { HostConnection } from './host-connection.js';
import { quote } from './shell.js';

/** SFTP's "no such file" status. */
const NO_SUCH_FILE = 2;
/** Bytes per SFTP write request (OpenSSH accepts up to 256 KiB; 32 KiB is every server's floor). */
const WRITE_CHUNK = 32 * 1024;

let partialCounter = 0;

/**
 * {@link HostFiles} over SSH, all through SFTP but removal: files are written to a
 * temporary name, made exclusively (`O_EXCL`: a link planted at it fails the write), and
 * renamed into place with OpenSSH's posix-rename (so a cut-off write never shows under
 * the final name, and a link there is replaced, not followed); `realPath` is SFTP's
 * `realpath` (with `lstat` and `readlink` for a link that leads nowhere); temp folders
 * are made in `/tmp`. Only `remove` runs a command (`rm -rf`): every exec runs the login
 * shell's start-up files first.
 */
export function sftpFiles(host: string, connection: () => Promise<HostConnection>, sharesControllerFileSystem: boolean): HostFiles {
  const fail = (what: string, path: string, error: unknown): Error =>
    new Error(`[hostgrid] cannot ${what} "${path}" on ssh host "${host}": ${(error as Error).message}`, { cause: error });
  const run = async (what: string, path: string, command: string): Promise<string> => {
    const result = await (await connection()).run(command);
    if (result.code !== 0) throw fail(what, path, new Error(result.stderr.trim() || `exit code ${String(result.code)}`));
    return result.stdout;
  };
  return {
    sharesControllerFileSystem,
    async makeTempDir(prefix) {
      const sftp = await (await connection()).sftp();
      // SFTP, not `mktemp`: an exec runs the login shell's start-up files, which can cost
      // more than everything else a start does. mkdir fails on an existing name, so a
      // fresh random name is as safe as mktemp's.
      for (let attempt = 0; ; attempt++) {
        const path = `/tmp/${prefix}${randomBytes(6).toString('hex')}`;
        try {
          await call<void>((done) => sftp.mkdir(path, { mode: 0o700 }, done));
          return path;
        } catch (error) {
          if (attempt >= 4) throw fail('make a temp folder', path, error);
        }
      }
    },
    async makeDir(path) {
      try {
        return await mkdirp(await (await connection()).sftp(), path);
      } catch (error) {
        throw fail('make folder', path, error);
      }
    },
    async writeFile(path, data, mode) {
      const sftp = await (await connection()).sftp();
      // Unique across controllers too: two may stage into one shared temp path.
      const partial = `${path.slice(0, path.lastIndexOf('/') + 1)}.${randomBytes(6).toString('hex')}-${++partialCounter}.hostgrid-partial`;
      try {
        let handle: Buffer;
        try {
          handle = await open(sftp, partial, mode);
        } catch (error) {
          if ((error as { code?: number }).code !== NO_SUCH_FILE) throw error;
          await mkdirp(sftp, path.slice(0, path.lastIndexOf('/')) || '/');
          handle = await open(sftp, partial, mode);
        }
        try {
          let position = 0;
          for await (const chunk of data) {
            for (let at = 0; at < chunk.length; at += WRITE_CHUNK) {
              const piece = chunk.subarray(at, Math.min(chunk.length, at + WRITE_CHUNK));
              await call<void>((done) => sftp.write(handle, Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength), 0, piece.length, position, done));
              position += piece.length;
            }
          }
          await call<void>((done) => sftp.fchmod(handle, mode, done));
        } finally {
          await call<void>((done) => sftp.close(handle, done));
        }
        await call<void>((done) => sftp.ext_openssh_rename(partial, path, done));
      } catch (error) {
        await call<void>((done) => sftp.unlink(partial, done)).catch(() => undefined);
        throw fail('write', path, error);
      }
    },
    async realPath(path) {
      const sftp = await (await connection()).sftp();
      try {
        // OpenSSH resolves every link and keeps a missing last component, as RealPath asks.
        return await call<string>((done) => sftp.realpath(path, done));
      } catch (error) {
        if ((error as { code?: number }).code !== NO_SUCH_FILE) throw fail('resolve', path, error);
      }
      // A folder on the way is missing, or the path is a link that leads nowhere: lstat tells.
      try {
        if (!(await call<Stats>((done) => sftp.lstat(path, done))).isSymbolicLink()) return undefined;
        return posix.resolve(posix.dirname(path), await call<string>((done) => sftp.readlink(path, done)));
      } catch (error) {
        if ((error as { code?: number }).code === NO_SUCH_FILE) return undefined;
        throw fail('resolve', path, error);
      }
    },
    async readFile(path) {
      const sftp = await (await connection()).sftp();
      try {
        return await call<Buffer>((done) => sftp.readFile(path, done));
      } catch (error) {
        if ((error as { code?: number }).code === NO_SUCH_FILE) return undefined;
        throw fail('read', path, error);
      }
    },
    async remove(path) {
      await run('remove', path, `rm -rf -- ${quote(path)}`);
    },
  };
}

/** `mkdir -p` over SFTP; resolves `true` when it made `path` itself. */
async function mkdirp(sftp: SFTPWrapper, path: string): Promise<boolean> {
  try {
    const stats = await call<Stats>((done) => sftp.stat(path, done));
    if (stats.isDirectory()) return false;
    throw new Error('it exists and is not a folder');
  } catch (error) {
    if ((error as { code?: number }).code !== NO_SUCH_FILE) throw error;
  }
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  if (parent !== path) await mkdirp(sftp, parent);
  try {
    await call<void>((done) => sftp.mkdir(path, { mode: 0o755 }, done));
    return true;
  } catch (error) {
    // Made by someone else meanwhile (parallel writes into one new folder): fine.
    const stats = await call<Stats>((done) => sftp.stat(path, done)).catch(() => undefined);
    if (stats?.isDirectory() === true) return false;
    throw error;
  }
}

function open(sftp: SFTPWrapper, path: string, mode: number): Promise<Buffer> {
  return call<Buffer>((done) => sftp.open(path, 'wx', { mode }, done));
}

function call<T>(start: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}
