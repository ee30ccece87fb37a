import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sgeHosts } from './sge-hosts.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostgrid-sge-hosts-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function hostfile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('sgeHosts', () => {
  it('gives one host spec per host of PE_HOSTFILE, in its order, adding up a host listed once per queue', async () => {
    const path = await hostfile('two-queues', 'n2 4 all.q@n2 UNDEFINED\nn1 2 all.q@n1 UNDEFINED\nn2 1 long.q@n2 UNDEFINED\n');
    expect(sgeHosts({ PE_HOSTFILE: path, JOB_ID: '7' })).toEqual([
      { name: 'n2', slots: 5 },
      { name: 'n1', slots: 2 },
    ]);
  });

  it('says so outside any SGE job', () => {
    expect(() => sgeHosts({})).toThrow(expect.objectContaining({ name: 'SgeJobError', message: expect.stringMatching(/not inside an SGE job \(JOB_ID is not set either\): PE_HOSTFILE is not set; run inside a parallel job, e\.g\. `qsub -pe smp 4/) }));
  });

  it('says so in a job submitted without a parallel environment', () => {
    expect(() => sgeHosts({ JOB_ID: '12', PE_HOSTFILE: '' })).toThrow(expect.objectContaining({ name: 'SgeJobError', message: expect.stringMatching(/SGE job 12 is not a parallel job \(it was submitted without -pe\)/) }));
  });

  it('names a host file it cannot read', () => {
    const path = join(dir, 'missing');
    expect(() => sgeHosts({ PE_HOSTFILE: path })).toThrow(expect.objectContaining({ name: 'SgeJobError', message: expect.stringContaining(`cannot read PE_HOSTFILE ${path}: ENOENT`) }));
  });

  it('names the file and the line of a bad entry', async () => {
    const path = await hostfile('bad', 'n1 2 all.q@n1 UNDEFINED\nn2 x all.q@n2 UNDEFINED\n');
    expect(() => sgeHosts({ PE_HOSTFILE: path })).toThrow(expect.objectContaining({ name: 'PeHostfileError', line: 2, message: expect.stringContaining(`PE_HOSTFILE ${path}, line 2 ("n2 x all.q@n2 UNDEFINED")`) }));
  });

  it('refuses a host file that lists no host', async () => {
    const path = await hostfile('empty', '\n\n');
    expect(() => sgeHosts({ PE_HOSTFILE: path })).toThrow(expect.objectContaining({ name: 'SgeJobError', message: expect.stringMatching(/lists no host/) }));
  });
});
