import { describe, expect, it } from 'vitest';
import { slurmHosts } from './slurm-hosts.js';

describe('slurmHosts', () => {
  it('reads the nodes and their slots from SLURM_JOB_NODELIST and SLURM_TASKS_PER_NODE', () => {
    expect(slurmHosts({ SLURM_JOB_NODELIST: 'n[01-03],gpu1', SLURM_TASKS_PER_NODE: '2(x3),1' })).toEqual([
      { name: 'n01', slots: 2 },
      { name: 'n02', slots: 2 },
      { name: 'n03', slots: 2 },
      { name: 'gpu1', slots: 1 },
    ]);
  });

  it('falls back to SLURM_NODELIST and SLURM_JOB_CPUS_PER_NODE', () => {
    expect(slurmHosts({ SLURM_NODELIST: 'h[1-2]', SLURM_JOB_CPUS_PER_NODE: '4(x2)' })).toEqual([
      { name: 'h1', slots: 4 },
      { name: 'h2', slots: 4 },
    ]);
    // SLURM_TASKS_PER_NODE wins over the CPU count, SLURM_JOB_NODELIST over SLURM_NODELIST
    expect(slurmHosts({ SLURM_JOB_NODELIST: 'a', SLURM_NODELIST: 'b', SLURM_TASKS_PER_NODE: '1', SLURM_JOB_CPUS_PER_NODE: '8' })).toEqual([{ name: 'a', slots: 1 }]);
  });

  it('says clearly when this process is outside an allocation', () => {
    expect(() => slurmHosts({})).toThrow(expect.objectContaining({ name: 'SlurmAllocationError', message: expect.stringMatching(/not inside a SLURM allocation: SLURM_JOB_NODELIST .* is not set; run inside an allocation, e\.g\. `salloc/) }));
    expect(() => slurmHosts({ SLURM_JOB_NODELIST: 'h1' })).toThrow(expect.objectContaining({ name: 'SlurmAllocationError', message: expect.stringMatching(/neither SLURM_TASKS_PER_NODE nor SLURM_JOB_CPUS_PER_NODE/) }));
  });

  it('refuses counts that do not cover the nodes one to one', () => {
    expect(() => slurmHosts({ SLURM_JOB_NODELIST: 'h[1-3]', SLURM_TASKS_PER_NODE: '2(x2)' })).toThrow(
      /SLURM_JOB_NODELIST=h\[1-3\] names 3 nodes but SLURM_TASKS_PER_NODE=2\(x2\) gives counts for 2/,
    );
  });

  it('names the variable whose text is bad', () => {
    expect(() => slurmHosts({ SLURM_JOB_NODELIST: 'h[1-', SLURM_TASKS_PER_NODE: '1' })).toThrow(
      expect.objectContaining({ name: 'SlurmSyntaxError', message: expect.stringMatching(/^\[hostgrid\] SLURM_JOB_NODELIST: bad SLURM host list "h\[1-" at position 1/) }),
    );
    expect(() => slurmHosts({ SLURM_JOB_NODELIST: 'h1', SLURM_TASKS_PER_NODE: '1(x)' })).toThrow(/SLURM_TASKS_PER_NODE: bad SLURM tasks per node "1\(x\)" at position 0/);
  });
});
