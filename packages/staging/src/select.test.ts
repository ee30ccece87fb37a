import { execFileSync } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tempTree } from './fixtures/temp-tree.js';
import { DEFAULT_EXCLUDE, selectFiles, type Selection } from './index.js';

const paths = (selection: Selection): string[] => selection.files.map((file) => file.path);

describe('selectFiles: the seed copy_files rules', () => {
  it('data/*.txt takes data/x.txt and data/a/b/y.txt, not other/x.txt', async () => {
    await using tree = await tempTree({
      'data/x.txt': 'x',
      'data/a/b/y.txt': 'y',
      'data/a/b/y.csv': 'no',
      'other/x.txt': 'no',
      'x.txt': 'no',
    });
    const selection = await selectFiles(tree.dir, ['data/*.txt']);
    expect(paths(selection)).toEqual(['data/a/b/y.txt', 'data/x.txt']);
    expect(selection.unmatched).toEqual([]);
  });

  it('Isd/foo.txt takes Isd/foo.txt, Isd/a/foo.txt and Isd/a/b/c/foo.txt', async () => {
    await using tree = await tempTree({
      'Isd/foo.txt': '1',
      'Isd/a/foo.txt': '2',
      'Isd/a/b/c/foo.txt': '3',
      'Isd/a/bar.txt': 'no',
      'Isd/a/foo.txt.bak': 'no',
      'foo.txt': 'no',
      'other/Isd/foo.txt': 'no',
    });
    const selection = await selectFiles(tree.dir, ['Isd/foo.txt']);
    expect(paths(selection)).toEqual(['Isd/a/b/c/foo.txt', 'Isd/a/foo.txt', 'Isd/foo.txt']);
  });

  it("['*.pyc', '*.so'] with no folder searches the whole root at any depth", async () => {
    await using tree = await tempTree({
      'grid.pyc': '',
      'Isd/AbstractGrid.pyc': '',
      'Isd/a/b/c/deep.pyc': '',
      '_isd.so': '',
      'lib/x/_y.so': '',
      'grid.py': 'no',
      'so/readme': 'no',
    });
    const selection = await selectFiles(tree.dir, ['*.pyc', '*.so']);
    expect(paths(selection)).toEqual([
      'Isd/AbstractGrid.pyc',
      'Isd/a/b/c/deep.pyc',
      '_isd.so',
      'grid.pyc',
      'lib/x/_y.so',
    ]);
  });

  it('src/py/*.so: a folder of several segments is searched at any depth', async () => {
    await using tree = await tempTree({
      'src/py/a.so': '',
      'src/py/deep/b.so': '',
      'src/c.so': 'no',
      'py/d.so': 'no',
      'other/src/py/e.so': 'no',
    });
    expect(paths(await selectFiles(tree.dir, ['src/py/*.so']))).toEqual(['src/py/a.so', 'src/py/deep/b.so']);
  });

  it("exclude ['cns/', '.svn'] drops every path containing either string", async () => {
    await using tree = await tempTree({
      'a.pyc': '',
      'cns/b.pyc': '',
      'x/cns/c.pyc': '',
      'x/acns/d.pyc': '',
      'x/cnsx/e.pyc': '',
      '.svn/f.pyc': '',
      'y/.svn/g.pyc': '',
      'y/h.svn.pyc': '',
    });
    const selection = await selectFiles(tree.dir, ['*.pyc'], { exclude: ['cns/', '.svn'] });
    // 'cns/' is plain text: it also drops 'acns/', as the seed's "contains" did.
    expect(paths(selection)).toEqual(['a.pyc', 'x/cnsx/e.pyc']);
  });

  it('DEFAULT_EXCLUDE drops .git/ (at the top and deeper) and node_modules/.cache/', async () => {
    expect(DEFAULT_EXCLUDE).toEqual(['.git/', 'node_modules/.cache/']);
    await using tree = await tempTree({
      'a.txt': '',
      '.git/config.txt': '',
      '.git/objects/ab/cd.txt': '',
      'sub/.git/HEAD.txt': '',
      'node_modules/.cache/x/y.txt': '',
      'node_modules/pkg/readme.txt': '',
      '.gitignore.txt': '',
      'git/kept.txt': '',
    });
    const selection = await selectFiles(tree.dir, ['*.txt']);
    expect(paths(selection)).toEqual(['.gitignore.txt', 'a.txt', 'git/kept.txt', 'node_modules/pkg/readme.txt']);
  });

  it('an exclude list given replaces DEFAULT_EXCLUDE', async () => {
    await using tree = await tempTree({ '.git/config.txt': '', 'cns/a.txt': '' });
    expect(paths(await selectFiles(tree.dir, ['*.txt'], { exclude: ['cns/'] }))).toEqual(['.git/config.txt']);
    expect(paths(await selectFiles(tree.dir, ['*.txt'], { exclude: [] }))).toEqual(['.git/config.txt', 'cns/a.txt']);
  });

  it("'/name/' excludes only a folder named exactly name", async () => {
    await using tree = await tempTree({ 'build/a.txt': '', 'x/build/b.txt': '', 'prebuild/c.txt': '' });
    expect(paths(await selectFiles(tree.dir, ['*.txt'], { exclude: ['/build/'] }))).toEqual(['prebuild/c.txt']);
  });

  it('includes dotfiles and files in dot-folders', async () => {
    await using tree = await tempTree({ '.env': '', 'conf/.hidden/.rc': '', 'visible': '' });
    expect(paths(await selectFiles(tree.dir, ['*']))).toEqual(['.env', 'conf/.hidden/.rc', 'visible']);
  });

  it('matches the name part as a glob: ?, [abc] and {a,b}', async () => {
    await using tree = await tempTree({
      'd/r1.dat': '',
      'd/r2.dat': '',
      'd/r10.dat': '',
      'd/a.cfg': '',
      'd/b.cfg': '',
      'd/c.cfg': '',
      'd/x.json': '',
      'd/x.yaml': '',
      'd/x.toml': '',
    });
    expect(paths(await selectFiles(tree.dir, ['d/r?.dat']))).toEqual(['d/r1.dat', 'd/r2.dat']);
    expect(paths(await selectFiles(tree.dir, ['d/[ab].cfg']))).toEqual(['d/a.cfg', 'd/b.cfg']);
    expect(paths(await selectFiles(tree.dir, ['d/x.{json,yaml}']))).toEqual(['d/x.json', 'd/x.yaml']);
  });

  it('takes folder names literally, parentheses and all', async () => {
    await using tree = await tempTree({ 'run (1)/a.txt': '', 'run 1/b.txt': 'no', 'run (1)/sub/c.txt': '' });
    expect(paths(await selectFiles(tree.dir, ['run (1)/*.txt']))).toEqual(['run (1)/a.txt', 'run (1)/sub/c.txt']);
  });

  it('accepts ./ and repeated slashes in a pattern', async () => {
    await using tree = await tempTree({ 'data/x.txt': '' });
    expect(paths(await selectFiles(tree.dir, ['./data//*.txt']))).toEqual(['data/x.txt']);
  });
});

describe('selectFiles: results', () => {
  it('selects a file once when several patterns match it, sorted by path', async () => {
    await using tree = await tempTree({ 'data/b.txt': '', 'data/a.txt': '', 'data/sub/c.txt': '', 'z.txt': '' });
    const selection = await selectFiles(tree.dir, ['*.txt', 'data/*.txt', 'data/a.txt', 'data/*']);
    expect(paths(selection)).toEqual(['data/a.txt', 'data/b.txt', 'data/sub/c.txt', 'z.txt']);
    expect(selection.unmatched).toEqual([]);
  });

  it('reports the patterns that matched nothing, once each, in order, without failing', async () => {
    await using tree = await tempTree({ 'data/x.txt': '', '.git/y.txt': '' });
    const selection = await selectFiles(tree.dir, ['*.so', 'data/*.txt', 'missing/*.txt', '*.so', '.git/*.txt']);
    expect(paths(selection)).toEqual(['data/x.txt']);
    // '.git/*.txt' only matched excluded files: it selected nothing.
    expect(selection.unmatched).toEqual(['*.so', 'missing/*.txt', '.git/*.txt']);
  });

  it('reports a pattern whose folder is a file as unmatched', async () => {
    await using tree = await tempTree({ 'data': 'a file' });
    expect((await selectFiles(tree.dir, ['data/*.txt'])).unmatched).toEqual(['data/*.txt']);
  });

  it('returns an empty selection for no patterns', async () => {
    await using tree = await tempTree({ 'a.txt': '' });
    expect(await selectFiles(tree.dir, [])).toMatchObject({ files: [], unmatched: [], skippedLinks: [] });
  });

  it('keeps permission bits, size, mtime and inode, and reads from the real root', async () => {
    await using tree = await tempTree();
    await tree.write('bin/run.sh', '#!/bin/sh\necho hi\n', 0o755);
    await tree.write('bin/data.txt', 'abc', 0o640);
    const realRoot = await realpath(tree.dir);
    const selection = await selectFiles(tree.dir, ['bin/*']);
    expect(selection.rootDir).toBe(realRoot);
    const [data, run] = selection.files;
    expect(run).toMatchObject({ path: 'bin/run.sh', absolutePath: `${realRoot}/bin/run.sh`, size: 18, mode: 0o755 });
    expect(data).toMatchObject({ path: 'bin/data.txt', size: 3, mode: 0o640 });
    expect(run?.ino).toBeGreaterThan(0);
    expect(run?.mtimeMs).toBeGreaterThan(0);
  });

  it('gives the real path as rootDir when the root is reached through a link', async () => {
    await using tree = await tempTree({ 'real/a.txt': '' });
    await tree.link('via', 'real');
    const selection = await selectFiles(tree.path('via'), ['*.txt']);
    expect(selection.rootDir).toBe(await realpath(tree.path('real')));
    expect(paths(selection)).toEqual(['a.txt']);
  });

  it('selects only regular files: no folders, no fifos', async () => {
    await using tree = await tempTree({ 'ok.txt': '' });
    await tree.mkdir('dir.txt/inner');
    execFileSync('mkfifo', [tree.path('pipe.txt')]);
    expect(paths(await selectFiles(tree.dir, ['*.txt']))).toEqual(['ok.txt']);
  });

  it('selects 2,000 files across many folders', async () => {
    await using tree = await tempTree();
    const writes: Promise<string>[] = [];
    for (let i = 0; i < 2000; i++) writes.push(tree.write(`d${i % 20}/e${i % 7}/f${i}.dat`, String(i)));
    for (let i = 0; i < 50; i++) writes.push(tree.write(`.git/objects/o${i}.dat`, ''));
    await Promise.all(writes);
    const selection = await selectFiles(tree.dir, ['*.dat', 'd3/*.dat']);
    expect(selection.files).toHaveLength(2000);
    expect(new Set(paths(selection)).size).toBe(2000);
  });
});

describe('selectFiles: symbolic links', () => {
  it('selects a link to a file inside the root as that file, under the link path', async () => {
    await using tree = await tempTree();
    await tree.write('store/real.sh', 'echo real\n', 0o755);
    await tree.link('bin/tool.sh', '../store/real.sh');
    const selection = await selectFiles(tree.dir, ['bin/*.sh']);
    expect(selection.files).toEqual([
      expect.objectContaining({ path: 'bin/tool.sh', size: 10, mode: 0o755, absolutePath: `${selection.rootDir}/bin/tool.sh` }),
    ]);
  });

  it('walks a link to a folder inside the root as that folder', async () => {
    await using tree = await tempTree({ 'shared/a.txt': '', 'shared/deep/b.txt': '' });
    await tree.link('data/shared', '../shared');
    expect(paths(await selectFiles(tree.dir, ['data/*.txt']))).toEqual(['data/shared/a.txt', 'data/shared/deep/b.txt']);
  });

  it('refuses a matching link to a file outside the root, naming the link and its target', async () => {
    await using outside = await tempTree({ 'secret.txt': 'secret' });
    await using tree = await tempTree({ 'data/ok.txt': '' });
    await tree.link('data/evil.txt', outside.path('secret.txt'));
    const target = await realpath(outside.path('secret.txt'));
    const selecting = selectFiles(tree.dir, ['data/*.txt']);
    await expect(selecting).rejects.toMatchObject({ name: 'StagingInputError', path: 'data/evil.txt', pattern: 'data/*.txt' });
    await expect(selecting).rejects.toThrow(`link "data/evil.txt" (pattern "data/*.txt") leads outside the root`);
    await expect(selecting).rejects.toThrow(target);
  });

  it('ignores a link to a file outside the root whose name does not match', async () => {
    await using outside = await tempTree({ 'python3': '' });
    await using tree = await tempTree({ 'venv/lib/a.pyc': '' });
    await tree.link('venv/bin/python', outside.path('python3'));
    expect(paths(await selectFiles(tree.dir, ['*.pyc']))).toEqual(['venv/lib/a.pyc']);
  });

  it('refuses a link to a folder outside the root, without walking it', async () => {
    await using outside = await tempTree({ 'x.txt': '' });
    await using tree = await tempTree({ 'data/ok.txt': '' });
    await tree.link('data/elsewhere', outside.dir);
    await expect(selectFiles(tree.dir, ['data/*.txt'])).rejects.toMatchObject({
      name: 'StagingInputError',
      path: 'data/elsewhere',
      message: expect.stringContaining(await realpath(outside.dir)),
    });
  });

  it('accepts a link to a folder outside the root when exclude drops it', async () => {
    await using outside = await tempTree({ 'x.txt': '' });
    await using tree = await tempTree({ 'data/ok.txt': '' });
    await tree.link('data/cache', outside.dir);
    expect(paths(await selectFiles(tree.dir, ['data/*.txt'], { exclude: ['data/cache'] }))).toEqual(['data/ok.txt']);
  });

  it("refuses a pattern whose folder is a link to outside the root", async () => {
    await using outside = await tempTree({ 'x.txt': '' });
    await using tree = await tempTree();
    await tree.link('data', outside.dir);
    await expect(selectFiles(tree.dir, ['data/*.txt'])).rejects.toMatchObject({
      name: 'StagingInputError',
      path: 'data',
      pattern: 'data/*.txt',
    });
  });

  it('skips a broken link whose name matches, listing it in skippedLinks', async () => {
    await using tree = await tempTree({ 'src/a.py': '' });
    await tree.link('src/.#a.py', 'user@host.1234:1700000000');
    await tree.link('src/other', 'nowhere');
    const selection = await selectFiles(tree.dir, ['src/*.py']);
    expect(paths(selection)).toEqual(['src/a.py']);
    expect(selection.skippedLinks).toEqual([{ path: 'src/.#a.py', target: 'user@host.1234:1700000000', reason: 'broken' }]);
    expect(selection.unmatched).toEqual([]);
  });

  it('does not follow a link back to a folder above it, listing it as a cycle', async () => {
    await using tree = await tempTree({ 'a/x.txt': '', 'b/y.txt': '' });
    await tree.link('a/up', '..');
    await tree.link('a/to-b', '../b');
    await tree.link('b/to-a', '../a');
    const selection = await selectFiles(tree.dir, ['*.txt']);
    expect(paths(selection)).toEqual(['a/to-b/y.txt', 'a/x.txt', 'b/to-a/x.txt', 'b/y.txt']);
    expect(selection.skippedLinks.map(({ path, reason }) => ({ path, reason }))).toEqual([
      { path: 'a/to-b/to-a', reason: 'cycle' },
      { path: 'a/up', reason: 'cycle' },
      { path: 'b/to-a/to-b', reason: 'cycle' },
      { path: 'b/to-a/up', reason: 'cycle' },
    ]);
  });
});

describe('selectFiles: bad input', () => {
  it('refuses a root folder that does not exist, naming it', async () => {
    await using tree = await tempTree();
    const missing = tree.path('missing');
    const selecting = selectFiles(missing, ['*']);
    await expect(selecting).rejects.toMatchObject({ name: 'StagingInputError', path: missing });
    await expect(selecting).rejects.toThrow(`root folder "${missing}" does not exist`);
  });

  it('refuses a root that is a file, naming it', async () => {
    await using tree = await tempTree({ 'file': '' });
    await expect(selectFiles(tree.path('file'), ['*'])).rejects.toMatchObject({
      name: 'StagingInputError',
      path: tree.path('file'),
      message: expect.stringContaining('is not a folder'),
    });
  });

  it.each([
    ['../x', '".." segment'],
    ['data/../../x/*.txt', '".." segment'],
    ['/etc/*.conf', 'absolute'],
    ['', 'empty'],
    ['a\0b', 'NUL'],
    ['data/', 'no name part'],
    ['*/x.txt', 'glob character'],
    ['src/{a,b}/*.py', 'glob character'],
  ])('refuses the pattern %j (%s), naming it', async (pattern, why) => {
    await using tree = await tempTree({ 'a.txt': '' });
    const selecting = selectFiles(tree.dir, ['*.txt', pattern]);
    await expect(selecting).rejects.toMatchObject({ name: 'StagingInputError', pattern });
    await expect(selecting).rejects.toThrow(why);
  });

  it('refuses an empty exclude string, which would exclude everything', async () => {
    await using tree = await tempTree({ 'a.txt': '' });
    await expect(selectFiles(tree.dir, ['*.txt'], { exclude: ['.git/', ''] })).rejects.toMatchObject({
      name: 'StagingInputError',
    });
  });

  it('refuses a selected file whose name holds a backslash', async () => {
    await using tree = await tempTree({ 'data/a\\b.txt': '' });
    await expect(selectFiles(tree.dir, ['data/*.txt'])).rejects.toMatchObject({
      name: 'StagingInputError',
      path: 'data/a\\b.txt',
    });
  });
});
