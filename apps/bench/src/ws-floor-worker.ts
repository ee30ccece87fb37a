/**
 * The raw WebSocket floor's worker: a bare process that dials the bench's WebSocket
 * server and answers `{ id, method: 'add', args }` with `{ id, result }` in msgpackr
 * frames (4-byte length + body). With `--batched`, every reply of one turn goes out in
 * one binary message (as Hostgrid's MessageBatcher does); without, one message per reply.
 * No grid, no validation, no ordering: the least a call over ws can cost.
 *
 * Usage: node ws-floor-worker.js <url> [--batched] [--ca <file>]
 */
import { readFileSync } from 'node:fs';
import { Packr } from 'msgpackr';
import { WebSocket, type RawData } from 'ws';

const packr = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false });
const [url] = process.argv.slice(2);
const batched = process.argv.includes('--batched');
const caAt = process.argv.indexOf('--ca');
const ws = new WebSocket(url!, { perMessageDeflate: false, ...(caAt > 0 ? { ca: readFileSync(process.argv[caAt + 1]!) } : {}) });
let pending: Buffer[] = [];
let scheduled = false;

function frame(message: unknown): Buffer {
  const body = packr.pack(message);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

function flush(): void {
  scheduled = false;
  ws.send(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
  pending = [];
}

ws.on('message', (data: RawData) => {
  const message = data as Buffer;
  for (let at = 0; at < message.length; ) {
    const length = message.readUInt32BE(at);
    const call = packr.unpack(message.subarray(at + 4, at + 4 + length)) as { id: number; method: string; args: unknown[] };
    at += 4 + length;
    const reply = frame({ id: call.id, result: call.method === 'add' ? (call.args[0] as number) + (call.args[1] as number) : call.args[0] });
    if (!batched) {
      ws.send(reply);
      continue;
    }
    pending.push(reply);
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  }
});
ws.on('close', () => process.exit(0));
ws.on('error', () => process.exit(0));
