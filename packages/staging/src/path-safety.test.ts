import { describe, expect, it } from 'vitest';
import { resolveInside, safeRelativePath } from './index.js';

describe('safeRelativePath', () => {
  it.each([
    ['a.txt', 'a.txt'],
    ['data/a/b/y.txt', 'data/a/b/y.txt'],
    ['./data//a/./x.txt', 'data/a/x.txt'],
    ['data/', 'data'],
    ['.hidden/..dots/...', '.hidden/..dots/...'],
  ])('normalises %j to %j', (path, expected) => {
    expect(safeRelativePath(path)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['.', 'names no file'],
    ['./', 'names no file'],
    ['/etc/passwd', 'absolute'],
    ['../x', '".." segment'],
    ['a/../b', '".." segment'],
    ['a/b/..', '".." segment'],
    ['a\0b', 'NUL'],
    ['a\\..\\..\\x', 'backslash'],
  ])('refuses %j (%s), naming it', (path, why) => {
    expect(() => safeRelativePath(path)).toThrow(why);
    expect(() => safeRelativePath(path)).toThrow(expect.objectContaining({ name: 'StagingInputError', path }));
  });

  it('refuses something that is not a string', () => {
    expect(() => safeRelativePath(42 as unknown as string)).toThrow(expect.objectContaining({ name: 'StagingInputError' }));
  });
});

describe('resolveInside', () => {
  it('joins a safe relative path under the root', () => {
    expect(resolveInside('/tmp/hostgrid-a1', 'data/x.txt')).toBe('/tmp/hostgrid-a1/data/x.txt');
    expect(resolveInside('/tmp/hostgrid-a1/', './data//x.txt')).toBe('/tmp/hostgrid-a1/data/x.txt');
    expect(resolveInside('/', 'x')).toBe('/x');
  });

  it.each(['../../etc/passwd', 'a/../../x', '/etc/passwd', '', '.', 'a\\b'])('refuses %j, which could escape', (relative) => {
    expect(() => resolveInside('/tmp/hostgrid-a1', relative)).toThrow(expect.objectContaining({ name: 'StagingInputError' }));
  });

  it.each(['relative/root', '', '/tmp/a\0b'])('refuses the root %j', (root) => {
    expect(() => resolveInside(root, 'x')).toThrow(expect.objectContaining({ name: 'StagingInputError', path: root }));
  });
});
