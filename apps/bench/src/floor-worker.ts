/**
 * The raw floor's worker: a bare process that answers `{ id, method: 'add', args }` with
 * `{ id, result }` over fd 3 (or stdin/stdout with `--stdio`, as over an SSH channel),
 * length-prefixed msgpackr frames, replies written once per turn of the event loop. No
 * grid, no validation, no ordering: the least a call can cost.
 */
import { Socket } from 'node:net';
import { Packr } from 'msgpackr';
import { frameReader } from './floor-frames.js';

const packr = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false });
const stdio = process.argv.includes('--stdio');
const input = stdio ? process.stdin : new Socket({ fd: 3, readable: true, writable: true });
const output = stdio ? process.stdout : (input as Socket);
let pending: Buffer[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  // One buffer per turn, as Hostgrid's FrameWriter sends: over a pipe (stdout is
  // synchronous in Node) every chunk would otherwise be its own system call.
  output.write(Buffer.concat(pending));
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

input.on(
  'data',
  frameReader((body) => {
    const call = packr.unpack(body) as { id: number; method: string; args: unknown[] };
    reply({ id: call.id, result: call.method === 'add' ? (call.args[0] as number) + (call.args[1] as number) : call.args[0] });
  }),
);
input.on('end', () => process.exit(0));
input.on('error', () => process.exit(0));
