import { realpath, rename } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tempTree } from './fixtures/temp-tree.js';
import { localRealPath, resolveUnlinked } from './index.js';

describe('localRealPath', () => {
  it('resolves links, keeps a missing last component, gives a dangling link its target, and undefined for a missing folder', async () => {
    await using tree = await tempTree({ 'real/x.txt': 'x' });
    const real = await realpath(tree.dir);
    await tree.link('linked', 'real');
    await tree.link('dangling', '/nonexistent-hostgrid/zzz');
    expect(await localRealPath(tree.path('linked/x.txt'))).toBe(`${real}/real/x.txt`);
    expect(await localRealPath(tree.path('linked/new.txt'))).toBe(`${real}/real/new.txt`);
    expect(await localRealPath(tree.path('dangling'))).toBe('/nonexistent-hostgrid/zzz');
    expect(await localRealPath(tree.path('missing/new.txt'))).toBeUndefined();
  });
});

describe('resolveUnlinked', () => {
  it('returns the path when nothing on its way inside the temp path is a link, missing folders included', async () => {
    await using tree = await tempTree({ 'root/data/x.txt': 'x' });
    const root = tree.path('root');
    const realRoot = (await localRealPath(root))!;
    expect(await resolveUnlinked(root, realRoot, 'data/x.txt', localRealPath)).toBe(`${root}/data/x.txt`);
    expect(await resolveUnlinked(root, realRoot, 'data/new.txt', localRealPath)).toBe(`${root}/data/new.txt`);
    expect(await resolveUnlinked(root, realRoot, 'new/a/b/c.txt', localRealPath)).toBe(`${root}/new/a/b/c.txt`);
  });

  it('allows links above the temp path that were there when it was made', async () => {
    await using tree = await tempTree();
    await tree.mkdir('scratch-real/me');
    await tree.link('scratch', 'scratch-real');
    const root = tree.path('scratch/me');
    expect(await resolveUnlinked(root, (await localRealPath(root))!, 'x.txt', localRealPath)).toBe(`${root}/x.txt`);
  });

  it.each([
    ['a linked folder', 'data', 'outside', 'data/x.txt'],
    ['a linked folder leading elsewhere inside', 'data', 'root/other', 'data/x.txt'],
    ['a linked file', 'x.txt', 'outside/x.txt', 'x.txt'],
    ['a dangling link', 'x.txt', 'outside/none.txt', 'x.txt'],
    ['a linked folder under a missing one', 'data', 'outside', 'data/a/b/x.txt'],
  ])('refuses %s, naming the path and where it leads', async (_, link, target, relative) => {
    await using tree = await tempTree({ 'outside/x.txt': 'outside', 'root/other/keep': '' });
    const root = tree.path('root');
    const realRoot = (await localRealPath(root))!;
    await tree.link(`root/${link}`, tree.path(target));
    const error = await resolveUnlinked(root, realRoot, relative, localRealPath).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'StagingInputError', path: relative });
    // The deepest component that exists is named: the link itself, or a missing folder under it.
    expect((error as Error).message).toContain(`"${root}/${link}`);
    expect((error as Error).message).toContain(`leads to "${await realpath(tree.dir)}/${target}`);
  });

  it('refuses a temp path (itself, or a path in it) whose parent folder was swapped for a link since it was made', async () => {
    await using tree = await tempTree({ 'p/tp/keep': '', 'elsewhere/tp/keep': '' });
    const root = tree.path('p/tp');
    const realRoot = (await localRealPath(root))!;
    expect(await resolveUnlinked(root, realRoot, '', localRealPath)).toBe(root);
    await rename(tree.path('p'), tree.path('p-was'));
    await tree.link('p', tree.path('elsewhere'));
    await expect(resolveUnlinked(root, realRoot, '', localRealPath)).rejects.toMatchObject({ name: 'StagingInputError', path: '' });
    await expect(resolveUnlinked(root, realRoot, 'x.txt', localRealPath)).rejects.toMatchObject({ name: 'StagingInputError', path: 'x.txt', message: expect.stringMatching(/leads to ".*elsewhere\/tp\/x\.txt"/) });
    await expect(resolveUnlinked(root, realRoot, 'data/x.txt', localRealPath)).rejects.toMatchObject({ name: 'StagingInputError' });
  });

  it('refuses a temp path whose parent is gone, and an unsafe relative path before looking', async () => {
    await using tree = await tempTree({ 'p/tp/keep': '' });
    const root = tree.path('p/tp');
    const realRoot = (await localRealPath(root))!;
    await expect(resolveUnlinked(root, realRoot, '../x', localRealPath)).rejects.toMatchObject({ name: 'StagingInputError', message: expect.stringContaining('".." segment') });
    await rename(tree.path('p'), tree.path('p-was'));
    await expect(resolveUnlinked(root, realRoot, 'x.txt', localRealPath)).rejects.toMatchObject({ name: 'StagingInputError', message: expect.stringContaining(`"${root}" is gone`) });
  });
});
