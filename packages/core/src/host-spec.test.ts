import { describe, expect, it } from 'vitest';
import { resolveHosts } from './host-spec.js';

describe('resolveHosts', () => {
  it('accepts names and specs and fills in defaults', () => {
    expect(resolveHosts(['a', { name: 'b', slots: 3, niceness: 5, env: { X: '1' } }])).toEqual([
      { name: 'a', slots: 1, niceness: 0, env: {} },
      { name: 'b', slots: 3, niceness: 5, env: { X: '1' } },
    ]);
  });

  it.each([
    [[], /non-empty array/],
    [[''], /hosts\[0\]/],
    [['a', 'a'], /host "a" is listed twice/],
    [[{ name: 'a', slots: 0 }], /host "a": "slots" must be a positive integer/],
    [[{ name: 'a', slots: 1.5 }], /"slots"/],
    [[{ name: 'a', niceness: 20 }], /"niceness" must be an integer from 0 to 19/],
    [[{ name: 'a', tempPath: 5 }], /"tempPath" must be a string/],
    [[{ name: 'a', env: { X: 1 } }], /"env" must map names to strings/],
    [[{ name: 'a', env: { 'BAD NAME': 'x' } }], /not a valid variable name: "BAD NAME"/],
  ])('refuses %j with a message naming the problem', (hosts, message) => {
    expect(() => resolveHosts(hosts as never)).toThrow(message);
  });
});
