import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashName, keyTypeOf, knownHostsLine, parseKnownHosts, verifyHostKey } from './known-hosts.js';

/** An ed25519 public key as an SSH key blob: string "ssh-ed25519", string key. */
function ed25519Blob(): Buffer {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const header = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([header(type), header(raw)]);
}

const a = ed25519Blob();
const b = ed25519Blob();
const line = (hosts: string, key: Buffer): string => `${hosts} ssh-ed25519 ${key.toString('base64')}`;

describe('known_hosts', () => {
  it('matches plain names, lists of names and addresses', () => {
    const entries = parseKnownHosts(`# comment\n\n${line('h1,10.0.0.1', a)}\n`);
    expect(verifyHostKey(entries, 'h1', 22, a)).toBe('match');
    expect(verifyHostKey(entries, '10.0.0.1', 22, a)).toBe('match');
    expect(verifyHostKey(entries, 'H1', 22, a)).toBe('match');
  });

  it('does not call a key of another type a mismatch, and matches hashed names in any case', () => {
    const rsa = parseKnownHosts(`h1 ssh-rsa ${Buffer.from('\0\0\0\x07ssh-rsaxxxx').toString('base64')}`);
    expect(verifyHostKey(rsa, 'h1', 22, a)).toBe('unknown');
    expect(verifyHostKey(parseKnownHosts(line(hashName('h1.example.org'), a)), 'H1.Example.org', 22, a)).toBe('match');
  });

  it('tells an unknown host from a changed key', () => {
    const entries = parseKnownHosts(line('h1', a));
    expect(verifyHostKey(entries, 'h2', 22, a)).toBe('unknown');
    expect(verifyHostKey(entries, 'h1', 22, b)).toBe('mismatch');
  });

  it('lists a host on another port as [host]:port, and only there', () => {
    const entries = parseKnownHosts(line('[h1]:2222', a));
    expect(verifyHostKey(entries, 'h1', 2222, a)).toBe('match');
    expect(verifyHostKey(entries, 'h1', 22, a)).toBe('unknown');
  });

  it('matches hashed names, including [host]:port', () => {
    const entries = parseKnownHosts([line(hashName('h1'), a), line(hashName('[10.0.0.2]:2222'), b)].join('\n'));
    expect(verifyHostKey(entries, 'h1', 22, a)).toBe('match');
    expect(verifyHostKey(entries, '10.0.0.2', 2222, b)).toBe('match');
    expect(verifyHostKey(entries, 'h2', 22, a)).toBe('unknown');
    expect(verifyHostKey(entries, 'h1', 22, b)).toBe('mismatch');
  });

  it('honours wildcards and negations', () => {
    const entries = parseKnownHosts(line('node-*,!node-9', a));
    expect(verifyHostKey(entries, 'node-1', 22, a)).toBe('match');
    expect(verifyHostKey(entries, 'node-9', 22, a)).toBe('unknown');
    expect(verifyHostKey(parseKnownHosts(line('node-?', a)), 'node-12', 22, a)).toBe('unknown');
  });

  it('refuses a key marked @revoked, even when another line lists it', () => {
    const entries = parseKnownHosts([line('h1', a), `@revoked ${line('*', a)}`].join('\n'));
    expect(verifyHostKey(entries, 'h1', 22, a)).toBe('revoked');
  });

  it('skips lines it cannot read and @cert-authority lines', () => {
    const entries = parseKnownHosts(['garbage', 'h1 ssh-ed25519 not*base64', `@cert-authority ${line('h1', a)}`].join('\n'));
    expect(verifyHostKey(entries, 'h1', 22, a)).toBe('unknown');
  });

  it('writes lines it reads back, hashed or plain', () => {
    expect(keyTypeOf(a)).toBe('ssh-ed25519');
    for (const hashed of [true, false]) {
      const entries = parseKnownHosts(knownHostsLine('h3', 2200, a, hashed));
      expect(verifyHostKey(entries, 'h3', 2200, a)).toBe('match');
    }
    expect(knownHostsLine('h3', 22, a, false)).toBe(line('h3', a));
  });
});
