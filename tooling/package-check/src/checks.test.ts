import { describe, expect, it } from 'vitest';
import { caretSatisfies, junkFiles, relativeReadmeLinks } from './checks.js';

describe('caretSatisfies', () => {
  it.each([
    ['^0.1.0', '0.1.0', true],
    ['^0.1.0', '0.1.7', true],
    ['^0.1.2', '0.1.1', false],
    ['^0.1.0', '0.2.0', false],
    ['^1.2.0', '1.9.0', true],
    ['^1.2.3', '1.2.2', false],
    ['^1.2.0', '2.0.0', false],
    ['^0.0.3', '0.0.3', true],
    ['^0.0.3', '0.0.4', false],
  ])('%s with version %s: %s', (range, version, expected) => {
    expect(caretSatisfies(range, version)).toBe(expected);
  });

  it.each(['*', '>=0.1.0', '0.1.0', '^0.1', 'latest', 'workspace:*'])('refuses %s, which is not a caret range x.y.z', (range) => {
    expect(caretSatisfies(range, '0.1.0')).toBe(false);
  });
});

describe('junkFiles', () => {
  it('picks tests, type tests, fixtures, scripts and build state, and leaves shipped files alone', () => {
    const files = [
      'dist/index.js', 'dist/testing/index.js', 'dist/testing/services/recorder.js', 'testing-services/where.mjs', 'dist/template/tsconfig.json',
      'dist/grid.test.js', 'dist/proxy.test-d.d.ts', 'dist/fixtures/a.js', 'scripts/bundle.mjs', 'tsconfig.tsbuildinfo', 'tsconfig.build.json', 'vitest.job.config.ts',
    ];
    expect(junkFiles(files)).toEqual(files.slice(5));
    expect(junkFiles(['LICENSE', 'template/tsconfig.json', 'dist/tsconfig.json'])).toEqual(['dist/tsconfig.json']);
  });
});

describe('relativeReadmeLinks', () => {
  it('picks links that need the repository beside the README, and leaves absolute links and anchors alone', () => {
    const readme = '[a](../cli/README.md) [b](https://x.test/y) [c](#usage) [d](./docs/x.md) [e](mailto:a@b.c) ![f](img.png)';
    expect(relativeReadmeLinks(readme)).toEqual(['../cli/README.md', './docs/x.md', 'img.png']);
  });
});
