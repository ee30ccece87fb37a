import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { generateToken } from './options.js';
import { wsTransport } from './ws-transport.js';
import { cleanupsAfterEach } from './fixtures/test-setup.js';

const token = generateToken();
const cleanups = cleanupsAfterEach();

/** A masked binary WebSocket frame (mask 0: the payload goes as is). */
function binaryFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

describe('ws transport: a peer whose join was refused', () => {
  it('is still held to 16 KiB: what it sends after the refusal is not read into memory, its connection is dropped', async () => {
    const transport = await wsTransport({ listen: { host: '127.0.0.1', port: 0 }, token });
    cleanups.push(() => transport.close());
    const socket: Socket = connect(transport.address().port, '127.0.0.1');
    cleanups.push(async () => void socket.destroy());
    const ended = new Promise<string>((resolve) => {
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.once('close', () => resolve('closed cleanly'));
    });
    let received = Buffer.alloc(0);
    let wanted: { bytes: number; resolve: () => void } | undefined;
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (wanted !== undefined && received.length >= wanted.bytes) wanted.resolve();
    });
    const until = (bytes: number): Promise<void> => new Promise((resolve) => (received.length >= bytes ? resolve() : (wanted = { bytes, resolve })));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
    await until(1);
    while (!received.includes('\r\n\r\n')) await until(received.length + 1);
    expect(received.toString('latin1')).toMatch(/^HTTP\/1.1 101/);
    const afterUpgrade = received.indexOf('\r\n\r\n') + 4;
    // The challenge (a small binary message: 2-byte header and its length).
    await until(afterUpgrade + 2);
    const challengeEnd = afterUpgrade + 2 + received[afterUpgrade + 1]!;
    await until(challengeEnd);
    // A join that is not one: refused (4401) with a close frame, which this peer never answers.
    socket.write(binaryFrame(Buffer.from('not a join')));
    await until(challengeEnd + 1);
    expect(received[challengeEnd]).toBe(0x88);
    // Then it sends 8 MiB in one message: a server that reads it all closes cleanly after its grace; one that holds it to 16 KiB drops it unread (reset).
    socket.write(binaryFrame(Buffer.alloc(8 * 1024 * 1024)), () => undefined);
    expect(['ECONNRESET', 'EPIPE']).toContain(await ended);
  });
});
