import { describe, expect, it } from 'vitest';
import { isExcluded, pruneGlob } from './exclude.js';

describe('isExcluded', () => {
  it("matches the path and '/' + path", () => {
    expect(isExcluded('.git/config', ['.git/'])).toBe(true);
    expect(isExcluded('a/.git/config', ['.git/'])).toBe(true);
    expect(isExcluded('x.git/config', ['.git/'])).toBe(true);
    expect(isExcluded('.gitignore', ['.git/'])).toBe(false);
    expect(isExcluded('build/a', ['/build/'])).toBe(true);
    expect(isExcluded('prebuild/a', ['/build/'])).toBe(false);
    expect(isExcluded('a.txt', [])).toBe(false);
  });
});

describe('pruneGlob', () => {
  it.each([
    ['.git/', '**/*.git/**'],
    ['node_modules/.cache/', '**/*node_modules/.cache/**'],
    ['/build/', '**/build/**'],
    ['run (1)/', '**/*run \\(1\\)/**'],
  ])('turns %j into %j', (item, glob) => {
    expect(pruneGlob(item)).toBe(glob);
  });

  it.each(['.svn', 'cns', '/', '//', 'a//', 'a/./', 'a\\b/'])('gives no glob for %j (the substring rule alone applies)', (item) => {
    expect(pruneGlob(item)).toBeUndefined();
  });
});
