/**
 * The raw floor's worker: a bare process that answers `{ id, method: 'add', args }` with
 * `{ id, result }` over fd 3, length-prefixed msgpackr frames, replies written once per
 * turn of the event loop. No grid, no validation, no ordering: the least a call can cost.
 */
import { Socket } from 'node:net';
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false });
const socket = new Socket({ fd: 3, readable: true, writable: true });
let pending: Buffer[] = [];
let scheduled = false;
let held: Buffer | undefined;

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

socket.on('data', (chunk: Buffer) => {
  let buf = held === undefined ? chunk : Buffer.concat([held, chunk]);
  let at = 0;
  while (buf.length - at >= 4) {
    const end = at + 4 + buf.readUInt32BE(at);
    if (end > buf.length) break;
    const call = packr.unpack(buf.subarray(at + 4, end)) as { id: number; method: string; args: [number, number] | [unknown] };
    reply({ id: call.id, result: call.method === 'add' ? (call.args[0] as number) + (call.args[1] as number) : call.args[0] });
    at = end;
  }
  held = at === buf.length ? undefined : buf.subarray(at);
  buf = held ?? buf;
});
socket.on('end', () => process.exit(0));
socket.on('error', () => process.exit(0));
