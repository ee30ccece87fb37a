import { createHash } from 'node:crypto';
import { rename, utimes, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tempTree } from './fixtures/temp-tree.js';
import {
  HashCache,
  buildManifest,
  hashFile,
  parseManifest,
  selectFiles,
  serializeManifest,
  type Manifest,
  type SelectedFile,
} from './index.js';

const HELLO_SHA256 = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const A = 'a'.repeat(64);

/** A hasher that counts the files it reads. */
function countingHasher(): { readonly reads: string[]; hash(path: string): Promise<string> } {
  const reads: string[] = [];
  return {
    reads,
    hash(path) {
      reads.push(path);
      return hashFile(path);
    },
  };
}

describe('hashFile', () => {
  it('gives the known SHA-256 of known content', async () => {
    await using tree = await tempTree({ 'hello.txt': 'hello\n', 'empty': '' });
    expect(await hashFile(tree.path('hello.txt'))).toBe(HELLO_SHA256);
    expect(await hashFile(tree.path('empty'))).toBe(EMPTY_SHA256);
  });

  it('hashes a file larger than one read chunk', async () => {
    await using tree = await tempTree();
    const content = Buffer.alloc(1_000_003, 7);
    await tree.write('big.bin', content);
    expect(await hashFile(tree.path('big.bin'))).toBe(createHash('sha256').update(content).digest('hex'));
  });

  it('rejects with the file system error for a missing file', async () => {
    await using tree = await tempTree();
    await expect(hashFile(tree.path('missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('buildManifest', () => {
  it("holds each selected file's size, mode and hash, keyed by path in order", async () => {
    await using tree = await tempTree();
    await tree.write('data/x.txt', 'hello\n', 0o644);
    await tree.write('bin/run.sh', '', 0o755);
    const manifest = await buildManifest(await selectFiles(tree.dir, ['*']));
    expect(manifest).toEqual({
      'bin/run.sh': { size: 0, mode: 0o755, hash: EMPTY_SHA256 },
      'data/x.txt': { size: 6, mode: 0o644, hash: HELLO_SHA256 },
    });
    expect(Object.keys(manifest)).toEqual(['bin/run.sh', 'data/x.txt']);
    expect(Object.isFrozen(manifest)).toBe(true);
  });

  it('hashes at most 8 files at once by default, or as many as asked', async () => {
    const files: SelectedFile[] = Array.from({ length: 30 }, (_, i) => ({
      path: `f${i}`,
      absolutePath: `/nowhere/f${i}`,
      size: 1,
      mode: 0o644,
      mtimeMs: 1,
      ino: i + 1,
    }));
    for (const [concurrency, expected] of [
      [undefined, 8],
      [3, 3],
    ] as const) {
      let running = 0;
      let most = 0;
      const cache = new HashCache({
        async hashFile() {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 1));
          running--;
          return A;
        },
      });
      const manifest = await buildManifest({ files }, cache, concurrency === undefined ? {} : { concurrency });
      expect(Object.keys(manifest)).toHaveLength(30);
      expect(most).toBe(expected);
    }
  });

  it('refuses a bad concurrency and file paths that are unsafe or repeated', async () => {
    const file: SelectedFile = { path: 'a', absolutePath: '/nowhere/a', size: 1, mode: 0o644, mtimeMs: 1, ino: 1 };
    await expect(buildManifest({ files: [file] }, undefined, { concurrency: 0 })).rejects.toMatchObject({ name: 'StagingInputError' });
    await expect(buildManifest({ files: [{ ...file, path: '../a' }] })).rejects.toMatchObject({ name: 'StagingInputError', path: '../a' });
    await expect(buildManifest({ files: [file, file] })).rejects.toMatchObject({ name: 'StagingInputError', path: 'a' });
  });
});

describe('HashCache', () => {
  it('does not read an unchanged tree again', async () => {
    await using tree = await tempTree({ 'a.txt': 'a', 'b/c.txt': 'c' });
    const hasher = countingHasher();
    const cache = new HashCache({ hashFile: hasher.hash });
    const first = await buildManifest(await selectFiles(tree.dir, ['*.txt']), cache);
    expect(hasher.reads).toHaveLength(2);
    const again = await buildManifest(await selectFiles(tree.dir, ['*.txt']), cache);
    expect(hasher.reads).toHaveLength(2);
    expect(again).toEqual(first);
    expect(cache.size).toBe(2);
  });

  it('reads a file again when its size changes', async () => {
    await using tree = await tempTree({ 'a.txt': 'a', 'b.txt': 'b' });
    const hasher = countingHasher();
    const cache = new HashCache({ hashFile: hasher.hash });
    await buildManifest(await selectFiles(tree.dir, ['*.txt']), cache);
    await writeFile(tree.path('a.txt'), 'hello\n');
    const manifest = await buildManifest(await selectFiles(tree.dir, ['*.txt']), cache);
    expect(hasher.reads.map((path) => path.slice(-5))).toEqual(['a.txt', 'b.txt', 'a.txt']);
    expect(manifest['a.txt']?.hash).toBe(HELLO_SHA256);
  });

  it('reads a file again when its modification time changes, size unchanged', async () => {
    await using tree = await tempTree({ 'a.txt': 'one\n' });
    await utimes(tree.path('a.txt'), 1_000_000, 1_000_000);
    const hasher = countingHasher();
    const cache = new HashCache({ hashFile: hasher.hash });
    await buildManifest(await selectFiles(tree.dir, ['*.txt']), cache);
    await writeFile(tree.path('a.txt'), 'two\n');
    await utimes(tree.path('a.txt'), 2_000_000, 2_000_000);
    const manifest = await buildManifest(await selectFiles(tree.dir, ['*.txt']), cache);
    expect(hasher.reads).toHaveLength(2);
    expect(manifest['a.txt']?.hash).toBe(createHash('sha256').update('two\n').digest('hex'));
  });

  it('reads a file again when it is replaced by another (new inode), size and time unchanged', async () => {
    await using tree = await tempTree({ 'a.txt': 'one\n', 'next': 'two\n' });
    await utimes(tree.path('a.txt'), 1_000_000, 1_000_000);
    await utimes(tree.path('next'), 1_000_000, 1_000_000);
    const hasher = countingHasher();
    const cache = new HashCache({ hashFile: hasher.hash });
    await buildManifest(await selectFiles(tree.dir, ['*.txt']), cache);
    await rename(tree.path('next'), tree.path('a.txt'));
    await buildManifest(await selectFiles(tree.dir, ['*.txt']), cache);
    expect(hasher.reads).toHaveLength(2);
  });

  it('shares one read between two requests at once, and forgets a failed one', async () => {
    let calls = 0;
    let fail = true;
    const cache = new HashCache({
      async hashFile() {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (fail) throw new Error('disk on fire');
        return A;
      },
    });
    const file = { absolutePath: '/nowhere/a', size: 1, mtimeMs: 1, ino: 1 };
    const both = Promise.allSettled([cache.hash(file), cache.hash(file)]);
    expect((await both).map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(cache.size).toBe(0);
    fail = false;
    expect(await cache.hash(file)).toBe(A);
    expect(await cache.hash(file)).toBe(A);
    expect(calls).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

describe('parseManifest', () => {
  const good: Manifest = {
    'bin/run.sh': { size: 10, mode: 0o755, hash: A },
    'data/x.txt': { size: 6, mode: 0o644, hash: HELLO_SHA256 },
  };

  it('reads back what serializeManifest wrote, from text or bytes', () => {
    const text = serializeManifest(good);
    expect(parseManifest(text)).toEqual(good);
    expect(parseManifest(new TextEncoder().encode(text))).toEqual(good);
  });

  it('drops fields other than size, mode and hash', () => {
    const parsed = parseManifest(JSON.stringify({ 'a': { size: 1, mode: 0o644, hash: A, extra: 'x' } }));
    expect(parsed).toEqual({ 'a': { size: 1, mode: 0o644, hash: A } });
  });

  it('keeps a key named __proto__ as an ordinary own key', () => {
    const parsed = parseManifest(`{"__proto__":{"size":1,"mode":420,"hash":"${A}"}}`);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it.each([
    ['../x', { '../x': { size: 1, mode: 0o644, hash: A } }],
    ['an absolute key', { '/etc/passwd': { size: 1, mode: 0o644, hash: A } }],
    ['a non-canonical key', { './a': { size: 1, mode: 0o644, hash: A } }],
    ['a key with a backslash', { 'a\\..\\x': { size: 1, mode: 0o644, hash: A } }],
    ['an empty key', { '': { size: 1, mode: 0o644, hash: A } }],
    ['a missing hash', { 'a': { size: 1, mode: 0o644 } }],
    ['a string size', { 'a': { size: '1', mode: 0o644, hash: A } }],
    ['a negative size', { 'a': { size: -1, mode: 0o644, hash: A } }],
    ['a fractional size', { 'a': { size: 1.5, mode: 0o644, hash: A } }],
    ['a mode above 0o777', { 'a': { size: 1, mode: 0o4755, hash: A } }],
    ['an uppercase hash', { 'a': { size: 1, mode: 0o644, hash: A.toUpperCase() } }],
    ['a short hash', { 'a': { size: 1, mode: 0o644, hash: 'abc' } }],
    ['an entry that is null', { 'a': null }],
    ['an entry that is an array', { 'a': [1, 420, A] }],
  ])('treats a manifest with %s as empty, even beside good entries', (_, bad) => {
    expect(parseManifest(JSON.stringify({ ...good, ...bad }))).toEqual({});
  });

  it.each([
    ['not JSON', 'not json'],
    ['cut short', serializeManifest(good).slice(0, 40)],
    ['an array', '[]'],
    ['null', 'null'],
    ['a number', '42'],
    ['empty', ''],
  ])('treats text that is %s as empty', (_, text) => {
    expect(parseManifest(text)).toEqual({});
  });

  it('treats bytes that are not UTF-8 as empty', () => {
    expect(parseManifest(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toEqual({});
  });
});

describe('serializeManifest', () => {
  it('writes keys in code unit order whatever the insertion order, digits included', () => {
    const entry = { size: 1, mode: 0o644, hash: A };
    const one = serializeManifest({ b: entry, '10': entry, a: entry, '2': entry, B: entry });
    const two = serializeManifest({ '2': entry, B: entry, a: entry, b: entry, '10': entry });
    expect(one).toBe(two);
    expect(one.split('\n').slice(1, -2).map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      '"10"',
      '"2"',
      '"B"',
      '"a"',
      '"b"',
    ]);
  });

  it('writes {} for an empty manifest', () => {
    expect(serializeManifest({})).toBe('{}\n');
    expect(parseManifest(serializeManifest({}))).toEqual({});
  });
});
