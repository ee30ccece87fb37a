/**
 * The raw floor's worker: a bare process that answers `{ id, method: 'add', args }` with
 * `{ id, result }` over fd 3, length-prefixed msgpackr frames, replies written once per
 * turn of the event loop. No grid, no validation, no ordering: the least a call can cost.
 */
import { Socket } from 'node:net';
import { Packr } from 'msgpackr';
import { frameReader } from './floor-frames.js';

const packr = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false });
const socket = new Socket({ fd: 3, readable: true, writable: true });
let pending: Buffer[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  socket.cork();
  for (const chunk of pending) socket.write(chunk);
  socket.uncork();
  pending = [];
}

function reply(message: unknown): void {
  const body = packr.pack(message);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length);
  pending.push(header, body);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(flush);
  }
}

socket.on(
  'data',
  frameReader((body) => {
    const call = packr.unpack(body) as { id: number; method: string; args: unknown[] };
    reply({ id: call.id, result: call.method === 'add' ? (call.args[0] as number) + (call.args[1] as number) : call.args[0] });
  }),
);
socket.on('end', () => process.exit(0));
socket.on('error', () => process.exit(0));
