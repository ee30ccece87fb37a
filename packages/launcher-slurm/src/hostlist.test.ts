import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireSlurmInfrastructure } from '@hostgrid/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHostlist, parseTasksPerNode } from './hostlist.js';

/** Real-world forms of SLURM_JOB_NODELIST, and what they name. */
const HOSTLISTS: ReadonlyArray<[string, string[]]> = [
  ['h1', ['h1']],
  ['a,b,c', ['a', 'b', 'c']],
  ['h[1-3]', ['h1', 'h2', 'h3']],
  ['n[01-03,07],gpu[1-2]', ['n01', 'n02', 'n03', 'n07', 'gpu1', 'gpu2']],
  ['n[1-3,5-6,9]', ['n1', 'n2', 'n3', 'n5', 'n6', 'n9']],
  ['n[5]', ['n5']],
  ['n1[0-2]', ['n10', 'n11', 'n12']],
  ['n[9-11]', ['n9', 'n10', 'n11']],
  ['n[08-10]', ['n08', 'n09', 'n10']],
  ['n[001-3]', ['n001', 'n002', 'n003']],
  ['n[0099-101]', ['n0099', 'n0100', 'n0101']],
  ['n[1-02]', ['n1', 'n2']],
  ['rack[1-2]-n[01-02]', ['rack1-n01', 'rack1-n02', 'rack2-n01', 'rack2-n02']],
  ['a[1-2],b[3-4]c[5-6]', ['a1', 'a2', 'b3c5', 'b3c6', 'b4c5', 'b4c6']],
  ['x[1-2],y', ['x1', 'x2', 'y']],
  ['host-1.example.com,host-2.example.com', ['host-1.example.com', 'host-2.example.com']],
  ['tux[0-1],linux_2', ['tux0', 'tux1', 'linux_2']],
  ['[1-2]', ['1', '2']],
  ['n[1,1]', ['n1', 'n1']],
  ['n[1-2],', ['n1', 'n2']],
  [',n1', ['n1']],
  // SLURM itself refuses a suffix after a single group; its meaning is plain, so it is read.
  ['n[1-2]-ib', ['n1-ib', 'n2-ib']],
];

/** Forms that must be refused, the position named, and a phrase of the message. */
const BAD_HOSTLISTS: ReadonlyArray<[string, number, RegExp]> = [
  ['', 0, /names no host/],
  [',', 0, /names no host/],
  ['n[1-2', 1, /"\[" is never closed/],
  ['n[1-2],m[3', 8, /never closed/],
  ['n[3-1]', 2, /range 3-1 goes backwards/],
  ['n[]', 2, /an empty range/],
  ['n[1,]', 4, /an empty range/],
  ['n[1-]', 2, /"1-" is not a number or a range/],
  ['n[a-b]', 2, /"a-b" is not a number/],
  ['n[0-1]-[a]', 8, /"a" is not a number/],
  ['n[[1]]', 2, /brackets cannot nest/],
  ['n[1-2]]', 6, /"\]" without its "\["/],
  ['n1]', 2, /"\]" without its "\["/],
  ['n 1', 1, /whitespace cannot be part of a host name/],
  ['n[1 -2]', 2, /"1 -2" is not a number/],
  ['n/1', 1, /the character "\/"/],
  ['n[1-2000000]', 2, /more than 1000000 hosts/],
];

/** Real-world forms of SLURM_TASKS_PER_NODE. */
const TASKS: ReadonlyArray<[string, number[]]> = [
  ['4', [4]],
  ['1,1', [1, 1]],
  ['2(x3)', [2, 2, 2]],
  ['2(x3),1', [2, 2, 2, 1]],
  ['1(x2),3(x1)', [1, 1, 3]],
  ['16(x2),8,4(x3)', [16, 16, 8, 4, 4, 4]],
];

const BAD_TASKS: ReadonlyArray<[string, number, RegExp]> = [
  ['', 0, /an empty entry/],
  ['2,', 2, /an empty entry/],
  ['0', 0, /"0" is not a positive count/],
  ['2(x0)', 0, /"2\(x0\)" is not a positive count/],
  ['2(3)', 0, /"2\(3\)" is not/],
  ['2(x3', 0, /"2\(x3" is not/],
  ['1,x', 2, /"x" is not/],
  ['-1', 0, /"-1" is not/],
];

describe('parseHostlist', () => {
  it.each(HOSTLISTS)('expands %j', (text, hosts) => {
    expect(parseHostlist(text)).toEqual(hosts);
  });

  it.each(BAD_HOSTLISTS)('refuses %j, naming position %i', (text, position, message) => {
    let error: unknown;
    try {
      parseHostlist(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ name: 'SlurmSyntaxError', text, position });
    expect((error as Error).message).toContain(`bad SLURM host list ${JSON.stringify(text)} at position ${position}`);
    expect((error as Error).message).toMatch(message);
  });
});

describe('parseTasksPerNode', () => {
  it.each(TASKS)('expands %j', (text, counts) => {
    expect(parseTasksPerNode(text)).toEqual(counts);
  });

  it.each(BAD_TASKS)('refuses %j, naming position %i', (text, position, message) => {
    expect(() => parseTasksPerNode(text)).toThrow(expect.objectContaining({ name: 'SlurmSyntaxError', text, position, message: expect.stringMatching(message) }));
  });
});

// The table's valid forms, against SLURM's own expansion (`scontrol show hostnames`).
describe('parseHostlist against scontrol show hostnames', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostgrid-hostlist-'));
    await writeFile(join(dir, 'slurm.conf'), 'ClusterName=hostlist\nSlurmctldHost=localhost\nNodeName=n1\nPartitionName=p Nodes=n1\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('expands every valid form of the table as scontrol does (except the suffix form SLURM refuses)', async () => {
    const { scontrol } = requireSlurmInfrastructure();
    for (const [text, hosts] of HOSTLISTS.filter(([text]) => text !== 'n[1-2]-ib')) {
      const { stdout } = await promisify(execFile)(scontrol, ['show', 'hostnames', text], { env: { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') } });
      expect(stdout.split('\n').filter(Boolean), text).toEqual(hosts);
      expect(parseHostlist(text), text).toEqual(hosts);
    }
  });
});
