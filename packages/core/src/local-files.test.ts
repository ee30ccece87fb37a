import { mkdtemp, readFile, readdir, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localHostFiles } from './local-files.js';

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await mkdtemp(join(tmpdir(), 'hostgrid-files-'));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe('localHostFiles', () => {
  const files = localHostFiles('h1');

  it('writes a file from chunks with its mode, making parent folders', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'a', 'b', 'run.sh');
    await files.writeFile(path, chunks('#!/bin/sh\n', 'echo hi\n'), 0o755);
    expect(await readFile(path, 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect((await stat(path)).mode & 0o777).toBe(0o755);
  });

  it('leaves neither the file nor a partial file when the data fails half way', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'data.bin');
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('first half');
      throw new Error('connection lost');
    }
    await expect(files.writeFile(path, broken(), 0o644)).rejects.toThrow(`cannot write "${path}" on host "h1": connection lost`);
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('keeps the old file whole when a rewrite fails', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'data.txt');
    await writeFile(path, 'old');
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('new');
      throw new Error('cut');
    }
    await expect(files.writeFile(path, broken(), 0o644)).rejects.toThrow(/cut/);
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir.path)).toEqual(['data.txt']);
  });

  it('reads a file, or undefined when there is none', async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'x'), 'content');
    expect(Buffer.from((await files.readFile(join(dir.path, 'x')))!).toString()).toBe('content');
    expect(await files.readFile(join(dir.path, 'missing'))).toBeUndefined();
  });

  it('says whether it made a folder, and names host and path when it cannot', async () => {
    await using dir = await tempDir();
    expect(await files.makeDir(join(dir.path, 'new', 'deep'))).toBe(true);
    expect(await files.makeDir(join(dir.path, 'new', 'deep'))).toBe(false);
    await writeFile(join(dir.path, 'file'), '');
    await expect(files.makeDir(join(dir.path, 'file'))).rejects.toThrow(`cannot make folder "${join(dir.path, 'file')}" on host "h1"`);
    await expect(files.makeDir(join(dir.path, 'file', 'sub'))).rejects.toThrow(/on host "h1"/);
  });

  it('tells where a path really leads, and names host and path when it cannot', async () => {
    await using dir = await tempDir();
    const real = await realpath(dir.path);
    await symlink(dir.path, join(dir.path, 'up'));
    await symlink('loop', join(dir.path, 'loop'));
    expect(await files.realPath!(join(dir.path, 'up', 'new.txt'))).toBe(join(real, 'new.txt'));
    expect(await files.realPath!(join(dir.path, 'missing', 'new.txt'))).toBeUndefined();
    await expect(files.realPath!(join(dir.path, 'loop'))).rejects.toThrow(`cannot resolve "${join(dir.path, 'loop')}" on host "h1"`);
  });

  it('makes temp folders and removes folders with their contents', async () => {
    const made = await files.makeTempDir('hostgrid-test-');
    expect(made.startsWith(join(tmpdir(), 'hostgrid-test-'))).toBe(true);
    await writeFile(join(made, 'inside'), 'x');
    await files.remove(made);
    await expect(stat(made)).rejects.toThrow(/ENOENT/);
    await files.remove(made);
  });
});

describe('localHostFiles.copyLocalFile', () => {
  const files = localHostFiles('h1');

  it('copies a local file into place with its mode, and leaves nothing when the source is missing', async () => {
    await using dir = await tempDir();
    const source = join(dir.path, 'source.bin');
    await writeFile(source, 'payload');
    const path = join(dir.path, 'out', 'copy.bin');
    await files.copyLocalFile!(source, path, 0o640);
    expect(await readFile(path, 'utf8')).toBe('payload');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    await expect(files.copyLocalFile!(join(dir.path, 'missing'), join(dir.path, 'out', 'x'), 0o644)).rejects.toThrow(/on host "h1"/);
    expect(await readdir(join(dir.path, 'out'))).toEqual(['copy.bin']);
  });
});
