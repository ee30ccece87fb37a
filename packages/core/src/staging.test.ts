import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createWorkerSession } from '@hostgrid/worker';
import { Grid, type GridOptions, type HostFiles, type StagingProgressEvent } from '@hostgrid/core';
import { memoryTransport, type MemoryTransport } from '@hostgrid/core/testing';
import { describe, expect, it } from 'vitest';

/** A temp folder removed at scope end. */
async function folder(): Promise<{ path: string } & AsyncDisposable> {
  const path = await mkdtemp(join(tmpdir(), 'hostgrid-staging-test-'));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

async function tree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** A grid on in-memory workers whose files are staged for real, removed with cleanup at scope end. */
async function gridOf(options: Partial<GridOptions> & { transport?: MemoryTransport } = {}): Promise<Grid & AsyncDisposable> {
  const grid = await Grid.start({ hosts: ['m1', 'm2', 'm3'], transport: memoryTransport({ serve: createWorkerSession }), ...options });
  return Object.assign(grid, { [Symbol.asyncDispose]: () => grid.terminate({ cleanup: true }) });
}

/** A memory transport whose hosts' files go through `wrap`. */
function withFiles(wrap: (files: HostFiles, host: string) => HostFiles): MemoryTransport {
  const base = memoryTransport({ serve: createWorkerSession });
  return { ...base, files: (host) => wrap(base.files(host), host.name) };
}

describe('copyFiles', () => {
  it('refuses bad input with StagingError and sends nothing', async () => {
    await using source = await folder();
    await tree(source.path, { 'a.txt': 'a', '.hostgrid/x': 'reserved' });
    await symlink('/etc/hostname', join(source.path, 'escape.txt'));
    await using grid = await gridOf();
    const cases: Array<[string, string[], RegExp]> = [
      [join(source.path, 'missing'), ['*.txt'], /does not exist/],
      [source.path, ['../*.txt'], /\.\./],
      [source.path, ['/etc/*.conf'], /absolute/],
      [source.path, ['escape.txt'], /escape\.txt.*outside/],
      [source.path, ['.hostgrid/*'], /keeps for itself/],
    ];
    for (const [root, patterns, message] of cases) {
      await expect(grid.copyFiles(root, patterns)).rejects.toMatchObject({ name: 'StagingError', message: expect.stringMatching(message) });
    }
    await expect(grid.copyFiles(source.path, ['a.txt'], { hosts: ['nope'] })).rejects.toThrow(/no host "nope" in this grid/);
    const tempPath = (await grid.copyFiles(source.path, ['nothing.md'])).hosts[0]!.tempPath;
    expect(existsSync(join(tempPath, 'a.txt'))).toBe(false);
  });

  it('reports patterns that match nothing as a warning, not an error', async () => {
    await using source = await folder();
    await tree(source.path, { 'a.txt': 'a' });
    await using grid = await gridOf();
    expect(await grid.copyFiles(source.path, ['*.txt', 'none/*.md'])).toMatchObject({ files: 1, bytes: 1, unmatched: ['none/*.md'] });
  });

  it('copies to the hosts named, and only those', async () => {
    await using source = await folder();
    await tree(source.path, { 'a.txt': 'a' });
    await using grid = await gridOf();
    const report = await grid.copyFiles(source.path, ['a.txt'], { hosts: ['m2'] });
    expect(report.hosts.map((host) => host.host)).toEqual(['m2']);
    const all = await grid.copyFiles(source.path, ['a.txt']);
    expect(all.hosts.map((host) => [host.host, host.filesSent])).toEqual([['m1', 1], ['m2', 0], ['m3', 1]]);
  });

  it('copies once into a shared temp path, and leaves a shared folder it did not make', async () => {
    await using source = await folder();
    await using shared = await folder();
    await tree(source.path, { 'data/x.txt': 'x', 'data/a/y.txt': 'y' });
    const grid = await gridOf({ sharedTempPath: shared.path });
    const report = await grid.copyFiles(source.path, ['data/*.txt']);
    expect(report.hosts).toEqual([
      { host: 'm1', tempPath: shared.path, filesSent: 2, bytesSent: 2, filesUnchanged: 0, bytesUnchanged: 0 },
      { host: 'm2', tempPath: shared.path, filesSent: 2, bytesSent: 2, filesUnchanged: 0, bytesUnchanged: 0, sharedWith: 'm1' },
      { host: 'm3', tempPath: shared.path, filesSent: 2, bytesSent: 2, filesUnchanged: 0, bytesUnchanged: 0, sharedWith: 'm1' },
    ]);
    expect(await readFile(join(shared.path, 'data/a/y.txt'), 'utf8')).toBe('y');
    await grid.terminate({ cleanup: true });
    expect(existsSync(join(shared.path, 'data/x.txt'))).toBe(true);
  });

  it.each(['writeFile', 'copyLocalFile'] as const)('never counts a file whose %s failed as staged, and sends it next time', async (way) => {
    await using source = await folder();
    await tree(source.path, { 'a.txt': 'a', 'b.txt': 'b' });
    let failB = true;
    const lost = (path: string): boolean => failB && path.endsWith('/b.txt');
    const transport = withFiles((files) => {
      const writeFile: HostFiles['writeFile'] = (path, data, mode) => (lost(path) ? Promise.reject(new Error('connection lost')) : files.writeFile(path, data, mode));
      // A remote host streams every file through writeFile; a local one copies with copyLocalFile.
      if (way === 'writeFile') {
        const { copyLocalFile: _local, ...streamed } = files;
        return { ...streamed, writeFile };
      }
      return { ...files, copyLocalFile: (local, path, mode) => (lost(path) ? Promise.reject(new Error('connection lost')) : files.copyLocalFile!(local, path, mode)) };
    });
    await using grid = await gridOf({ hosts: ['m1'], transport });
    await expect(grid.copyFiles(source.path, ['*.txt'])).rejects.toMatchObject({ name: 'StagingError', host: 'm1', path: 'b.txt', message: expect.stringMatching(/cannot stage "b.txt" on host "m1": connection lost/) });
    failB = false;
    const report = await grid.copyFiles(source.path, ['*.txt']);
    expect(report.hosts[0]).toMatchObject({ filesSent: 1, bytesSent: 1, filesUnchanged: 1 });
    expect(await readFile(join(grid.tempPath('m1'), 'b.txt'), 'utf8')).toBe('b');
  });

  it('reports progress per host up to every file and byte', async () => {
    await using source = await folder();
    await tree(source.path, { 'a.txt': 'aaaa', 'b/c.txt': 'cc' });
    await using grid = await gridOf();
    const events: StagingProgressEvent[] = [];
    grid.on('staging-progress', (event) => events.push(event));
    await grid.copyFiles(source.path, ['*.txt']);
    for (const host of ['m1', 'm2', 'm3']) {
      const last = events.filter((event) => event.host === host).at(-1);
      expect(last).toEqual({ host, filesDone: 2, filesTotal: 2, bytesDone: 6, bytesTotal: 6 });
    }
  });
});

describe('temp paths and the worker runtime', () => {
  it('stages the worker runtime into each temp path, and skips it when the same one is there', async () => {
    await using place = await folder();
    const hosts = [{ name: 'm1', tempPath: join(place.path, 'm1') }];
    const entry = join(place.path, 'm1', '.hostgrid', 'hostgrid-worker.js');
    const first = await gridOf({ hosts });
    const staged = await stat(entry);
    await first.terminate({ cleanup: false });
    // A file sent again is written to a new name and renamed into place: a new inode.
    await using second = await gridOf({ hosts });
    expect((await stat(entry)).ino).toBe(staged.ino);
    expect(second.isHalted()).toBe(false);
  });

  it('removes on a plain terminate() the temp paths it made, and only those', async () => {
    await using place = await folder();
    await mkdir(join(place.path, 'given'));
    const grid = await gridOf({ hosts: [{ name: 'm1', tempPath: join(place.path, 'given') }, { name: 'm2', tempPath: join(place.path, 'new') }, 'm3'] });
    const { hosts } = await grid.copyFiles(place.path, ['nothing']);
    await grid.terminate();
    expect(existsSync(join(place.path, 'given'))).toBe(true);
    expect(existsSync(join(place.path, 'new'))).toBe(false);
    expect(existsSync(hosts[2]!.tempPath)).toBe(false);
  });

  it('keeps the temp paths it made with terminate({ cleanup: false }), also through a later terminate() or scope end, and removes them when asked again with cleanup: true', async () => {
    await using place = await folder();
    // Grid.start's own grid: gridOf's dispose asks for cleanup.
    const grid = await Grid.start({ hosts: [{ name: 'm1', tempPath: join(place.path, 'new') }, 'm2'], transport: memoryTransport({ serve: createWorkerSession }) });
    const { hosts } = await grid.copyFiles(place.path, ['nothing']);
    await grid.terminate({ cleanup: false });
    // Neither a repeat without options nor a scope's end undoes the choice.
    await grid.terminate();
    await grid[Symbol.asyncDispose]();
    expect(existsSync(join(place.path, 'new'))).toBe(true);
    expect(existsSync(hosts[1]!.tempPath)).toBe(true);
    await grid.terminate({ cleanup: true });
    expect(existsSync(join(place.path, 'new'))).toBe(false);
    expect(existsSync(hosts[1]!.tempPath)).toBe(false);
  });

  it('names the host and the path when a temp path cannot be made', async () => {
    await using place = await folder();
    await writeFile(join(place.path, 'file'), '');
    const bad = join(place.path, 'file', 'sub');
    await expect(gridOf({ hosts: ['m1', { name: 'm2', tempPath: bad }] })).rejects.toMatchObject({
      name: 'StagingError',
      host: 'm2',
      path: bad,
      message: expect.stringMatching(new RegExp(`cannot make the temp path "${bad}" on host "m2"`)),
    });
  });

  it('refuses to publish a module that was not staged on a host that does not share this machine\'s files', async () => {
    await using source = await folder();
    await tree(source.path, { 'where.mjs': 'export class Where { f() { return 1; } }\n' });
    const transport = withFiles((files) => ({ ...files, sharesControllerFileSystem: false }));
    await using grid = await gridOf({ hosts: ['remote'], transport });
    const module = pathToFileURL(join(source.path, 'where.mjs'));
    await expect(grid.publish({ module, export: 'Where' })).rejects.toMatchObject({
      name: 'StagingError',
      host: 'remote',
      message: expect.stringMatching(/is not staged on host "remote".*grid\.copyFiles\(".*", \["\*\.js"\]\)/),
    });
    expect(grid.services()).toEqual([]);
    await grid.copyFiles(source.path, ['where.mjs']);
    expect(await grid.publish({ module, export: 'Where' })).toBe('Where.1');
  });

  it('refuses setLoader once something is published', async () => {
    await using grid = await gridOf({ hosts: ['m1'] });
    await grid.publish({ module: new URL('./testing/services/recorder.js', import.meta.url), export: 'Recorder' });
    await expect(grid.setLoader('/any/loader.js')).rejects.toThrow(/setLoader must come before publish: Recorder.1 already published/);
    await expect(grid.setLoader('relative.js')).rejects.toThrow(/absolute path/);
    await expect(grid.setLoader('/somewhere/manifest.json')).rejects.toThrow(/may not be named manifest.json/);
  });
});

describe('file modes', () => {
  it('keeps executable bits', async () => {
    await using source = await folder();
    await tree(source.path, { 'run.sh': '#!/bin/sh\n' });
    await chmod(join(source.path, 'run.sh'), 0o750);
    await using grid = await gridOf({ hosts: ['m1'] });
    const { hosts } = await grid.copyFiles(source.path, ['run.sh']);
    expect((await stat(join(hosts[0]!.tempPath, 'run.sh'))).mode & 0o777).toBe(0o750);
  });
});

describe('sparse files', () => {
  it('stages a sparse file as its full size, its holes as zeros, by kernel copy and by stream alike', async () => {
    await using source = await folder();
    const path = join(source.path, 'sparse.bin');
    const size = 8 * 1024 * 1024 + 3;
    await writeFile(path, 'start');
    await truncate(path, size - 3);
    await appendFile(path, 'end');
    expect((await stat(path)).blocks * 512).toBeLessThan(size);
    const streamed = withFiles((files) => {
      const { copyLocalFile: _kernelCopy, ...rest } = files;
      return rest;
    });
    for (const transport of [memoryTransport({ serve: createWorkerSession }), streamed]) {
      await using grid = await gridOf({ hosts: ['m1'], transport });
      expect(await grid.copyFiles(source.path, ['sparse.bin'])).toMatchObject({ bytes: size, hosts: [{ bytesSent: size }] });
      const copy = await readFile(join(grid.tempPath('m1'), 'sparse.bin'));
      expect(copy.length).toBe(size);
      expect(copy.equals(await readFile(path))).toBe(true);
    }
  });
});

describe('the manifest', () => {
  it('forgets a file being replaced before its new content lands, so a failed manifest write cannot leave the old hash', async () => {
    await using source = await folder();
    await tree(source.path, { 'a.txt': 'one' });
    let failManifest = false;
    const transport = withFiles((files) => ({
      ...files,
      writeFile: (path, data, mode) => (failManifest && path.endsWith('/manifest.json') && !path.includes('partial') ? files.writeFile(path, data, mode).then(() => { failManifest = false; throw new Error('disk full'); }) : files.writeFile(path, data, mode)),
    }));
    await using grid = await gridOf({ hosts: ['m1'], transport });
    await grid.copyFiles(source.path, ['a.txt']);
    await writeFile(join(source.path, 'a.txt'), 'two');
    failManifest = true;
    await expect(grid.copyFiles(source.path, ['a.txt'])).rejects.toThrow(/disk full/);
    // Back to the first content: the host holds "two", so "one" must be sent again.
    await writeFile(join(source.path, 'a.txt'), 'one');
    const report = await grid.copyFiles(source.path, ['a.txt']);
    expect(report.hosts[0]).toMatchObject({ filesSent: 1 });
    expect(await readFile(join(grid.tempPath('m1'), 'a.txt'), 'utf8')).toBe('one');
  });
});
