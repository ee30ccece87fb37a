import { describe, expect, it } from 'vitest';
import { HostListError, layoutReplicas, parseHostList } from './hosts.js';

describe('parseHostList', () => {
  it('reads names and name=address entries, trimmed, in order', () => {
    expect(parseHostList('n1, n2=10.0.0.2 ,node-3.lab=host.example.org')).toEqual([
      { name: 'n1' },
      { name: 'n2', address: '10.0.0.2' },
      { name: 'node-3.lab', address: 'host.example.org' },
    ]);
    expect(parseHostList('v6=::1')).toEqual([{ name: 'v6', address: '::1' }]);
  });

  it.each([
    ['', /at least one host/],
    [' , ', /at least one host/],
    ['a,', /empty entry/],
    ['-a', /"-a" is not a host name/],
    ['a=', /host "a" has an empty or malformed address/],
    ['a,b,a', /lists "a" twice/],
  ])('refuses %j', (text, message) => {
    expect(() => parseHostList(text)).toThrow(HostListError);
    expect(() => parseHostList(text)).toThrow(message);
  });
});

describe('layoutReplicas', () => {
  it('puts all replicas on one host by default', () => {
    expect(layoutReplicas(undefined, 4, 1, undefined, 256)).toEqual({ replicas: 4, slots: 4 });
    expect(layoutReplicas(8, 4, 1, undefined, 256)).toEqual({ replicas: 8, slots: 8 });
  });

  it('splits replicas evenly over hosts', () => {
    expect(layoutReplicas(6, 4, 3, undefined, 256)).toEqual({ replicas: 6, slots: 2 });
    expect(() => layoutReplicas(4, 4, 3, undefined, 256)).toThrow(/do not split evenly over 3 hosts/);
  });

  it('takes hosts x slots replicas when --slots is given, and checks --replicas against it', () => {
    expect(layoutReplicas(undefined, 4, 2, 3, 256)).toEqual({ replicas: 6, slots: 3 });
    expect(layoutReplicas(6, 4, 2, 3, 256)).toEqual({ replicas: 6, slots: 3 });
    expect(() => layoutReplicas(5, 4, 2, 3, 256)).toThrow(/--replicas 5 does not match 2 hosts x 3 slots = 6 servers/);
    expect(() => layoutReplicas(undefined, 4, 1, 1, 256)).toThrow(/needs 2 to 256/);
    expect(() => layoutReplicas(undefined, 4, 3, 100, 256)).toThrow(/300 servers/);
  });
});
