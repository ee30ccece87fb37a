import { randomBytes } from 'node:crypto';
import type { SFTPWrapper, Stats } from 'ssh2';
import { HostCheckError } from './check-failure.js';

/** Where the grid makes a host's temp folder when its spec has no `tempPath` (the SSH transport's choice). */
export const DEFAULT_TEMP_ROOT = '/tmp';

/** SFTP's "no such file" status. */
const NO_SUCH_FILE = 2;

function call<T>(start: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}

/**
 * Checks over SFTP that the login user can make folders and write files where the grid
 * will: in `tempPath` (made if missing, as the grid does) or, without one, in `/tmp`.
 * It makes a folder of its own there, writes a file in it, and removes both, and the
 * folders of `tempPath` it had to make, so that the grid makes `tempPath` itself (and
 * removes it) as it would on a real run.
 *
 * @returns the folder checked, and the folders of `tempPath` that were missing (parents
 *   first): the grid makes them again, and removes only the last, so the caller removes
 *   the others once the grid is done ({@link removeEmptyDirs})
 * @throws {@link HostCheckError} (step `temp path`) naming the path and the server's words
 */
export async function checkTempPath(sftp: SFTPWrapper, host: string, user: string, tempPath: string | undefined): Promise<{ root: string; missing: string[] }> {
  const root = tempPath ?? DEFAULT_TEMP_ROOT;
  const fix =
    tempPath === undefined
      ? `the grid makes its temp folders in ${DEFAULT_TEMP_ROOT}: make it writable for ${user}, or give each host a tempPath (--temp-path DIR to check one)`
      : `give --temp-path (the hosts' tempPath) a folder ${user} may write to`;
  const made: string[] = [];
  let step = '';
  try {
    step = `make ${root}`;
    await makeDirs(sftp, root, made);
    const probe = `${root.replace(/\/+$/, '')}/.hostgrid-check-${randomBytes(6).toString('hex')}`;
    step = `make a folder in ${root}`;
    await call<void>((done) => sftp.mkdir(probe, { mode: 0o700 }, done));
    made.push(probe);
    step = `write a file in ${root}`;
    const file = `${probe}/write-test`;
    const handle = await call<Buffer>((done) => sftp.open(file, 'w', 0o600, done));
    try {
      await call<void>((done) => sftp.write(handle, Buffer.from('hostgrid\n'), 0, 9, 0, done));
    } finally {
      await call<void>((done) => sftp.close(handle, done));
    }
    step = `remove a file in ${root}`;
    await call<void>((done) => sftp.unlink(file, done));
  } catch (error) {
    throw new HostCheckError({ host, step: 'temp path', problem: `cannot ${step}: ${(error as Error).message}`, fix, cause: error });
  } finally {
    await removeEmptyDirs(sftp, made);
  }
  return { root, missing: made.filter((dir) => !dir.includes('/.hostgrid-check-')) };
}

/** Removes folders, last first, leaving any that is not empty (or already gone). */
export async function removeEmptyDirs(sftp: SFTPWrapper, dirs: readonly string[]): Promise<void> {
  for (const dir of [...dirs].reverse()) await call<void>((done) => sftp.rmdir(dir, done)).catch(() => undefined);
}

/** `mkdir -p` over SFTP, recording (parents first) the folders it made. */
async function makeDirs(sftp: SFTPWrapper, path: string, made: string[]): Promise<void> {
  try {
    const stats = await call<Stats>((done) => sftp.stat(path, done));
    if (!stats.isDirectory()) throw new Error('it exists and is not a folder');
    return;
  } catch (error) {
    if ((error as { code?: number }).code !== NO_SUCH_FILE) throw error;
  }
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  if (parent !== path) await makeDirs(sftp, parent, made);
  await call<void>((done) => sftp.mkdir(path, { mode: 0o755 }, done));
  made.push(path);
}
