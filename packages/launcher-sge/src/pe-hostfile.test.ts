import { describe, expect, it } from 'vitest';
import { parsePeHostfile, type PeHostfileEntry } from './pe-hostfile.js';

const entry = (host: string, slots: number, queue?: string, processors?: string): PeHostfileEntry => ({ host, slots, queue, processors });

describe('parsePeHostfile', () => {
  it.each<[string, string, PeHostfileEntry[]]>([
    ['one host, as SGE 8.1 writes it', 'vm 4 all.q@vm UNDEFINED\n', [entry('vm', 4, 'all.q@vm')]],
    [
      'fully qualified names over several hosts',
      'node01.cluster.example.org 8 all.q@node01.cluster.example.org UNDEFINED\nnode02.cluster.example.org 4 all.q@node02.cluster.example.org UNDEFINED\n',
      [entry('node01.cluster.example.org', 8, 'all.q@node01.cluster.example.org'), entry('node02.cluster.example.org', 4, 'all.q@node02.cluster.example.org')],
    ],
    ['the <NULL> processor range of older releases', 'compute-0-1 2 short.q@compute-0-1 <NULL>\n', [entry('compute-0-1', 2, 'short.q@compute-0-1')]],
    ['a core binding', 'n1 2 all.q@n1 0,0:0,1\n', [entry('n1', 2, 'all.q@n1', '0,0:0,1')]],
    ['a processor range', 'n1 2 all.q@n1 0-3\n', [entry('n1', 2, 'all.q@n1', '0-3')]],
    ['one host through two queues: two entries', 'n1 2 all.q@n1 UNDEFINED\nn1 1 long.q@n1 UNDEFINED\n', [entry('n1', 2, 'all.q@n1'), entry('n1', 1, 'long.q@n1')]],
    ['blank lines, tabs, trailing blanks and CRLF endings', '\n  n1\t3\tall.q@n1\tUNDEFINED  \r\n\r\n\nn2 1 all.q@n2 UNDEFINED', [entry('n1', 3, 'all.q@n1'), entry('n2', 1, 'all.q@n2')]],
    ['only a host and a count', 'n1 5\n', [entry('n1', 5)]],
    ['an empty file', '', []],
  ])('reads %s', (_what, text, expected) => {
    expect(parsePeHostfile(text)).toEqual(expected);
  });

  it.each<[string, string, number, RegExp]>([
    ['a line with no slot count', 'n1 2 all.q@n1 UNDEFINED\nn2\n', 2, /line 2 \("n2"\): no slot count after the host name/],
    ['a slot count that is not a number', 'n1 two all.q@n1 UNDEFINED\n', 1, /line 1 .*the slot count "two" is not a positive integer/],
    ['a slot count of zero', '\nn1 0 all.q@n1 UNDEFINED\n', 2, /line 2 .*the slot count "0" is not a positive integer/],
    ['a negative slot count', 'n1 -2 all.q@n1 UNDEFINED\n', 1, /the slot count "-2" is not a positive integer/],
    ['a fractional slot count', 'n1 1.5 all.q@n1 UNDEFINED\n', 1, /the slot count "1.5" is not a positive integer/],
    ['fields in the wrong order', 'all.q@n1 4 n1 UNDEFINED\n', 1, /"all.q@n1" is not a host name/],
    ['a qstat header pasted by mistake', 'queuename qtype resv/used/tot.\n', 1, /the slot count "qtype" is not a positive integer/],
  ])('refuses %s, naming the line', (_what, text, line, message) => {
    let error: unknown;
    try {
      parsePeHostfile(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'PeHostfileError', line });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/each line must read "<host> <slots> <queue> <processor range>"/);
  });
});
