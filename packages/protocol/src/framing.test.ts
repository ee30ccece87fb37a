import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameWriter } from './framing.js';
import { InvalidMessageError } from './validate.js';

function collect(writer: (w: FrameWriter) => void): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const batches: Buffer[] = [];
    const w = new FrameWriter((chunks) => {
      batches.push(Buffer.concat(chunks));
      resolve(batches);
    });
    writer(w);
  });
}

describe('framing', () => {
  it('coalesces frames written in one turn into one batch, in order', async () => {
    const batches = await collect((w) => {
      for (let i = 0; i < 100; i++) w.write(Buffer.from(`frame ${i}`));
    });
    expect(batches).toHaveLength(1);
    const frames: string[] = [];
    new FrameDecoder().push(batches[0]!, (f) => frames.push(f.toString()));
    expect(frames).toEqual(Array.from({ length: 100 }, (_, i) => `frame ${i}`));
  });

  it('passes large frames through between small ones without reordering', async () => {
    const big = Buffer.alloc(200_000, 7);
    const batches = await collect((w) => {
      w.write(Buffer.from('a'));
      w.write(big);
      w.write(Buffer.from('b'));
    });
    const frames: Buffer[] = [];
    new FrameDecoder().push(batches[0]!, (f) => frames.push(f));
    expect(frames.map((f) => f.length)).toEqual([1, 200_000, 1]);
    expect(frames[1]!.equals(big)).toBe(true);
    expect(frames[2]!.toString()).toBe('b');
  });

  it('reassembles frames split across chunks at every byte boundary', async () => {
    const [stream] = await collect((w) => {
      w.write(Buffer.from('hello'));
      w.write(Buffer.alloc(0));
      w.write(Buffer.from('world!'));
    });
    for (let cut = 0; cut <= stream!.length; cut++) {
      const d = new FrameDecoder();
      const frames: string[] = [];
      d.push(stream!.subarray(0, cut), (f) => frames.push(f.toString()));
      d.push(stream!.subarray(cut), (f) => frames.push(f.toString()));
      expect(frames).toEqual(['hello', '', 'world!']);
      expect(d.pendingBytes).toBe(0);
    }
  });

  it('refuses a frame longer than its limit', () => {
    const d = new FrameDecoder(10);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(11);
    expect(() => d.push(header, () => {})).toThrow(InvalidMessageError);
  });
});

describe('FrameDecoder with a large frame in many chunks', () => {
  it('joins the chunks of an 8 MiB frame once it is complete', () => {
    const body = Buffer.alloc(8 * 1024 * 1024, 3);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    const stream = Buffer.concat([header, body, header.subarray(0, 2)]);
    const d = new FrameDecoder();
    const frames: Buffer[] = [];
    for (let at = 0; at < stream.length; at += 65_536) d.push(stream.subarray(at, at + 65_536), (f) => frames.push(f));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.equals(body)).toBe(true);
    expect(d.pendingBytes).toBe(2);
  });
});

describe('PreambleScanner', () => {
  it('drops whatever came before the preamble, however the chunks are cut, and passes frames after it', async () => {
    const { PreambleScanner, STREAM_PREAMBLE } = await import('./framing.js');
    const [frames] = await collect((w) => w.write(Buffer.from('payload')));
    const stream = Buffer.concat([Buffer.from('motd from bashrc\nmodule loaded\n'), Buffer.from(STREAM_PREAMBLE, 'latin1'), frames!]);
    for (let cut = 0; cut <= stream.length; cut += 3) {
      const scanner = new PreambleScanner();
      const skipped: string[] = [];
      const out: Buffer[] = [];
      for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) {
        const rest = scanner.push(part, (text) => skipped.push(text));
        if (rest !== undefined) out.push(rest);
      }
      expect(skipped.join('')).toBe('motd from bashrc\nmodule loaded\n');
      const decoded: string[] = [];
      new FrameDecoder().push(Buffer.concat(out), (f) => decoded.push(f.toString()));
      expect(decoded).toEqual(['payload']);
    }
  });

  it('hands back the text it held when the stream ends without a preamble', async () => {
    const { PreambleScanner } = await import('./framing.js');
    const scanner = new PreambleScanner();
    const skipped: string[] = [];
    expect(scanner.push(Buffer.from('node: not found\n'), (text) => skipped.push(text))).toBeUndefined();
    expect(skipped.join('') + scanner.flush()).toBe('node: not found\n');
    expect(scanner.flush()).toBe('');
  });
});
