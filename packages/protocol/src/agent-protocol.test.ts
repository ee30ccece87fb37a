import { describe, expect, it } from 'vitest';
import { parseAgentReport, parseAgentRequest, parseChallenge, parseJoin, parseWelcome } from './agent-validate.js';
import { decode, encode } from './codec.js';
import { joinProof, makeNonce, verifyJoinProof } from './join-proof.js';
import { MessageBatcher, unpackFrames } from './message-batcher.js';
import { InvalidMessageError } from './validate.js';

function batches(write: (b: MessageBatcher) => void, maxMessageBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const messages: Buffer[] = [];
    const b = new MessageBatcher((parts) => messages.push(Buffer.concat(parts)), maxMessageBytes);
    write(b);
    queueMicrotask(() => queueMicrotask(() => resolve(messages)));
  });
}

describe('message batching', () => {
  it('packs the frames of one turn into one message and unpacks them in order', async () => {
    const messages = await batches((b) => {
      for (let i = 0; i < 100; i++) b.write(Buffer.from(`frame ${i}`));
    });
    expect(messages).toHaveLength(1);
    const frames: string[] = [];
    unpackFrames(messages[0]!, (f) => frames.push(f.toString()));
    expect(frames).toEqual(Array.from({ length: 100 }, (_, i) => `frame ${i}`));
  });

  it('sends a large frame as a message of its own, header and body apart, without reordering', async () => {
    const parts: (readonly Uint8Array[])[] = [];
    const b = new MessageBatcher((p) => parts.push(p), Number.MAX_SAFE_INTEGER);
    const big = Buffer.alloc(100_000, 7);
    b.write(Buffer.from('a'));
    b.write(big);
    b.write(Buffer.from('b'));
    b.flush();
    expect(parts.map((p) => p.length)).toEqual([1, 2, 1]);
    expect(parts[1]![1]).toBe(big);
    const frames: Buffer[] = [];
    for (const p of parts) unpackFrames(Buffer.concat(p), (f) => frames.push(f));
    expect(frames.map((f) => f.length)).toEqual([1, 100_000, 1]);
  });

  it('splits many small frames over messages of at most 64 KiB', async () => {
    const messages = await batches((b) => {
      for (let i = 0; i < 100; i++) b.write(Buffer.alloc(1000, i));
    });
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.every((m) => m.length <= 64 * 1024)).toBe(true);
    let n = 0;
    for (const m of messages) unpackFrames(m, (f) => expect(f[0]).toBe(n++));
    expect(n).toBe(100);
  });

  it("keeps shared messages within the peer's smaller limit; a frame that fits is never split", async () => {
    // Ten frames of 4 KiB that each fit a 32 KiB limit, but not all together.
    const limit = 32 * 1024;
    const messages = await batches((b) => {
      for (let i = 0; i < 10; i++) b.write(Buffer.alloc(4096, i));
    }, limit);
    expect(messages.length).toBe(2);
    expect(messages.every((m) => m.length <= limit)).toBe(true);
    let n = 0;
    for (const m of messages) unpackFrames(m, (f) => expect(f.equals(Buffer.alloc(4096, n++))).toBe(true), limit - 4);
    expect(n).toBe(10);
  });

  it('refuses an empty or truncated message, or a frame over the limit, handing out nothing', () => {
    const seen: Buffer[] = [];
    const good = Buffer.from([0, 0, 0, 1, 9]);
    expect(() => unpackFrames(Buffer.alloc(0), (f) => seen.push(f))).toThrow(InvalidMessageError);
    expect(() => unpackFrames(Buffer.concat([good, Buffer.from([0, 0])]), (f) => seen.push(f))).toThrow(/inside a frame header/);
    expect(() => unpackFrames(Buffer.concat([good, Buffer.from([0, 0, 0, 9, 1])]), (f) => seen.push(f))).toThrow(/inside a frame of 9 bytes/);
    expect(() => unpackFrames(good, (f) => seen.push(f), 0)).toThrow(/exceeds the limit of 0/);
    expect(seen).toEqual([]);
  });
});

describe('join proof', () => {
  const claim = { role: 'slot', host: 'h1', slot: 2, ticket: 't' } as const;

  it('verifies the proof made with the same token, nonce and claim only', () => {
    const nonce = makeNonce();
    const proof = joinProof('secret', nonce, claim);
    expect(verifyJoinProof('secret', nonce, claim, proof)).toBe(true);
    expect(verifyJoinProof('wrong', nonce, claim, proof)).toBe(false);
    expect(verifyJoinProof('secret', makeNonce(), claim, proof)).toBe(false);
    expect(verifyJoinProof('secret', nonce, { ...claim, slot: 3 }, proof)).toBe(false);
    expect(verifyJoinProof('secret', nonce, { ...claim, role: 'host' }, proof)).toBe(false);
    expect(verifyJoinProof('secret', nonce, claim, proof.subarray(0, 31))).toBe(false);
  });
});

describe('agent channel validation', () => {
  const proof = new Uint8Array(32);
  const join = { type: 'join', version: 3, role: 'host', host: 'h1', slot: 0, slots: 2, ticket: '', proof, pid: 1, hostname: 'x', node: 'v20' };

  it('accepts well-formed handshake messages, also after a trip through the codec', () => {
    expect(parseChallenge(decode(encode({ type: 'challenge', version: 3, nonce: makeNonce() }))).type).toBe('challenge');
    expect(parseJoin(decode(encode(join))).role).toBe('host');
    expect(parseJoin({ ...join, role: 'slot', slot: 1, slots: 0, ticket: 'abc' }).role).toBe('slot');
    expect(parseWelcome({ type: 'welcome', heartbeatMs: 1000, misses: 10, maxFrameBytes: 1024 }).type).toBe('welcome');
    expect(() => parseWelcome({ type: 'welcome', heartbeatMs: 1000, misses: 10 })).toThrow(/"maxFrameBytes"/);
    expect(() => parseWelcome({ type: 'welcome', heartbeatMs: 1000, misses: 10, maxFrameBytes: 0 })).toThrow(/"maxFrameBytes" must be positive/);
  });

  it.each([
    [{ ...join, proof: new Uint8Array(31) }, /"proof" must be 32 bytes/],
    [{ ...join, role: 'admin' }, /"role"/],
    [{ ...join, host: '' }, /"host"/],
    [{ ...join, slots: 0 }, /at least 1 slot/],
    [{ ...join, role: 'slot' }, /ticket/],
    [{ ...join, type: 'call' }, /expected a "join"/],
  ])('refuses the malformed join %#', (value, message) => {
    expect(() => parseJoin(value)).toThrow(message);
  });

  it('accepts each agent request and report', () => {
    const requests = [
      { type: 'start', id: 1, slot: 0, ticket: 't', workerEntry: '/a/w.js', tempPath: '/a', node: '', niceness: 3, initCmd: '', env: { A_1: 'x' } },
      { type: 'kill', slot: 1, pid: 0 },
      { type: 'link', heartbeatMs: 200, misses: 3 },
      { type: 'fs-mktemp', id: 1, prefix: 'hostgrid-' },
      { type: 'fs-mkdir', id: 1, path: '/a' },
      { type: 'fs-open', id: 1, path: '/a/b', mode: 0o644 },
      { type: 'fs-write', id: 1, handle: 1, data: new Uint8Array(3) },
      { type: 'fs-commit', id: 1, handle: 1, size: 3, sha256: 'a'.repeat(64) },
      { type: 'fs-abort', id: 1, handle: 1 },
      { type: 'fs-read', id: 1, path: '/a/b' },
      { type: 'fs-remove', id: 1, path: '/a' },
    ];
    for (const request of requests) expect(parseAgentRequest(decode(encode(request))).type).toBe(request.type);
    const reports = [
      { type: 'reply', id: 1, value: '/tmp/x' },
      { type: 'reply', id: 1, error: { name: 'Error', message: 'no' } },
      { type: 'output', slot: 0, stream: 'stderr', text: 'hi' },
      { type: 'exited', slot: 0, pid: 5, code: null, signal: 'SIGKILL' },
    ];
    for (const report of reports) expect(parseAgentReport(decode(encode(report))).type).toBe(report.type);
  });

  it.each([
    [{ type: 'start', id: 1, slot: 0, ticket: 't', workerEntry: '/w', tempPath: '/a', node: '', niceness: 20, initCmd: '', env: {} }, /"niceness"/],
    [{ type: 'start', id: 1, slot: 0, ticket: 't', workerEntry: '/w', tempPath: '/a', node: '', niceness: 0, initCmd: '', env: { 'A B': 'x' } }, /"env"/],
    [{ type: 'fs-commit', id: 1, handle: 1, size: 3, sha256: 'xyz' }, /"sha256"/],
    [{ type: 'fs-write', id: 1, handle: 1, data: 'text' }, /"data"/],
    [{ type: 'exec', id: 1 }, /unknown agent request type/],
  ])('refuses the malformed agent request %#', (value, message) => {
    expect(() => parseAgentRequest(value)).toThrow(message);
  });

  it('refuses malformed agent reports', () => {
    expect(() => parseAgentReport({ type: 'output', slot: 0, stream: 'fd3', text: '' })).toThrow(/"stream"/);
    expect(() => parseAgentReport({ type: 'reply', id: 1, error: 'no' })).toThrow(/object/);
    expect(() => parseAgentReport({ type: 'exited', slot: 0, pid: 1, code: 'x', signal: null })).toThrow(/"code"/);
    expect(() => parseAgentReport({ type: 'ready' })).toThrow(/unknown agent report type/);
  });
});
