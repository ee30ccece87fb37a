import { describe, expect, it } from 'vitest';
import { LineSplitter, cutMarker } from './output-lines.js';

function split(chunks: string[], limit: number, flush = true): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), limit);
  for (const chunk of chunks) splitter.push(chunk);
  if (flush) splitter.flush();
  return lines;
}

describe('LineSplitter', () => {
  it('splits lines that cross chunks, and keeps empty lines', () => {
    expect(split(['ab', 'c\nd', 'e\n\nf'], 10)).toEqual(['abc', 'de', '', 'f']);
    expect(split(['ab', 'c\nd'], 10, false)).toEqual(['abc']);
  });

  it('passes a line of exactly the limit on whole', () => {
    expect(split(['abcd', '\nx\n'], 4)).toEqual(['abcd', 'x']);
  });

  it('cuts a longer line at the limit once, marks it, and drops the rest of it up to its line end', () => {
    expect(split(['abc', 'def', 'ghi', 'j\nnext\n'], 4)).toEqual([`abcd${cutMarker(4)}`, 'next']);
    expect(split(['abcdefgh'], 4)).toEqual([`abcd${cutMarker(4)}`]);
  });
});
