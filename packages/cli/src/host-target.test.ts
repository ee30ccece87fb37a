import { describe, expect, it } from 'vitest';
import { checkHostList, parseHostTarget, parseHostsFile } from './host-target.js';

describe('host entries', () => {
  it('reads [user@]name[=address][:port] in every combination', () => {
    expect(parseHostTarget('h1')).toEqual({ name: 'h1', address: 'h1' });
    expect(parseHostTarget('10.0.0.11')).toEqual({ name: '10.0.0.11', address: '10.0.0.11' });
    expect(parseHostTarget('root@h1=10.0.0.11:2222')).toEqual({ name: 'h1', address: '10.0.0.11', user: 'root', port: 2222 });
    expect(parseHostTarget('alice@node-2.example.org:22')).toEqual({ name: 'node-2.example.org', address: 'node-2.example.org', user: 'alice', port: 22 });
    expect(parseHostTarget('gpu1=[fe80::1%eth0]:2200')).toEqual({ name: 'gpu1', address: 'fe80::1%eth0', port: 2200 });
    expect(parseHostTarget('fe80::1')).toEqual({ name: 'fe80::1', address: 'fe80::1' });
  });

  it.each([
    ['', 'it is empty'],
    ['root@@h1', 'more than one "@"'],
    ['@h1', 'the user before "@" is empty'],
    ['=10.0.0.1', 'the name before "=" is empty'],
    ['h 1', 'a space'],
    ['h1:0', 'from 1 to 65535, got "0"'],
    ['h1:ssh', 'from 1 to 65535, got "ssh"'],
    ['h1=', 'the address is empty'],
    ['h1=[::1', '"[" without "]"'],
    ['h1=[::1]x', 'only :port may follow'],
    ['h1=[10.0.0.1]:22', 'is not an IPv6 address'],
    ['h1=10.0.0.1:22:22', 'more than one ":"'],
    ['h/1', 'is not a host name or address'],
    ['bad!name=10.0.0.1', '"bad!name" is not a host name'],
  ])('refuses %j, saying why and showing the syntax', (entry, why) => {
    expect(() => parseHostTarget(entry)).toThrow(why);
    expect(() => parseHostTarget(entry)).toThrow(`bad host ${JSON.stringify(entry)}`);
    expect(() => parseHostTarget(entry)).toThrow('[user@]name[=address][:port]');
  });

  it('reads a hosts file, skipping blank lines and comments, and names the line of a bad entry', () => {
    expect(parseHostsFile('# the rack\nh1=10.0.0.11\n\n  root@h2=10.0.0.12:2222  # spare\n', 'hosts.txt')).toEqual([
      { name: 'h1', address: '10.0.0.11' },
      { name: 'h2', address: '10.0.0.12', user: 'root', port: 2222 },
    ]);
    expect(() => parseHostsFile('h1\nh2:x\n', 'hosts.txt')).toThrow('bad host "h2:x" (hosts.txt:2)');
  });

  it('refuses an empty list and a host named twice', () => {
    expect(() => checkHostList([])).toThrow('no hosts to check');
    expect(() => checkHostList([parseHostTarget('h1=10.0.0.1'), parseHostTarget('h1=10.0.0.2')])).toThrow('host "h1" is given twice');
  });
});
