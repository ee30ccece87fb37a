import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGone, startSlurm } from '@hostgrid/testbed';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './fixtures/cli.js';
import { distPath } from './fixtures/dist.js';
import { tempDir } from './fixtures/temp-dir.js';
import type { ReportData } from './report-data.js';

const FLAGS = ['--rounds', '20', '--sweeps', '4', '--size', '10', '--seed', '21'];

// A real SLURM cluster of 3 nodes (@hostgrid/testbed: munged, slurmctld and a slurmd per
// network-namespace node); needs root and the SLURM packages (provision-slurm.sh).
const bed = await startSlurm({ nodes: 3, name: 'demo-slurm' });
afterAll(() => bed.stop());

/** Runs the built CLI as a SLURM client would (with the cluster's SLURM_CONF), optionally inside `salloc`. */
function demo(args: readonly string[], salloc?: readonly string[]): ReturnType<typeof bed.client> {
  const cli = distPath('cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the demo first (npm run build --workspace @hostgrid/demo)`);
  const command = [process.execPath, cli, ...args];
  return bed.client(salloc === undefined ? command : ['salloc', ...salloc, ...command], { timeoutMs: 180_000 });
}

/** Hostgrid workers still running on any node, and job steps SLURM still lists. */
async function leftovers(): Promise<string[]> {
  const left = (await bed.steps()).map((step) => `step ${step.stepId} ${step.name}`);
  for (const node of bed.nodes) {
    for (const pid of bed.pidsIn(node)) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (cmdline.includes('--stdio') && !isGone(pid)) left.push(`${node.name}: worker ${pid}`);
    }
  }
  return left;
}

describe('the demo inside a SLURM allocation (3 test bed nodes)', () => {
  it('runs the replica exchange with --launcher slurm inside salloc: the same result.json as the local run, one server per slot', { timeout: 240_000 }, async () => {
    await using out = await tempDir('hostgrid-demo-slurm-');
    const run = await demo(['--launcher', 'slurm', ...FLAGS, '--out', join(out.path, 'slurm')], ['--nodes=3', '--ntasks-per-node=2', '--no-kill']);
    expect(run.stderr).toMatch(/^salloc: Granted job allocation \d+\n/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('servers used: 6');
    const local = await runCli([...FLAGS, '--replicas', '6', '--out', join(out.path, 'local')]);
    expect(local.code).toBe(0);
    const read = (dir: string, file: string): Promise<string> => readFile(join(out.path, dir, file), 'utf8');
    expect(await read('slurm', 'result.json')).toBe(await read('local', 'result.json'));
    const report = JSON.parse(await read('slurm', 'report.json')) as ReportData;
    expect(report.run.transport).toBe('slurm');
    expect(report.run.hosts).toEqual([{ name: 'h1', slots: 2 }, { name: 'h2', slots: 2 }, { name: 'h3', slots: 2 }]);
    expect(report.timeline!.servers.map((s) => `${s.host}/${s.slot}:${s.calls}`)).toEqual(['h1/0:21', 'h1/1:21', 'h2/0:21', 'h2/1:21', 'h3/0:21', 'h3/1:21']);
    // the grid's shared temp folder (in the output folder) was removed, and nothing runs on
    expect(existsSync(join(out.path, 'slurm', '.hostgrid-work'))).toBe(false);
    expect(await leftovers()).toEqual([]);
    expect(await bed.jobs()).toEqual([]);
  });

  it('submits itself with --sbatch, prints the job id and where the report lands, and the job writes it', { timeout: 240_000 }, async () => {
    await using out = await tempDir('hostgrid-demo-sbatch-');
    const dir = join(out.path, 'batch');
    const submitted = await demo(['--launcher', 'slurm', '--sbatch', '--nodes', '3', '--slots', '2', ...FLAGS, '--out', dir]);
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const jobId = /^submitted batch job (\d+): 3 nodes x 2 slots = 6 replicas$/m.exec(submitted.stdout)?.[1];
    expect(jobId).toBeDefined();
    expect(submitted.stdout).toContain(`job output: ${join(dir, `slurm-${jobId}.out`)}`);
    expect(submitted.stdout).toContain(`report (once it has run): ${join(dir, 'report.html')}`);
    expect(submitted.stdout).toContain(`follow it: squeue -j ${jobId}, or scontrol show job ${jobId}`);
    // polled with scontrol show job, as the demo's --wait does
    expect(await bed.waitJob(jobId!, { timeoutMs: 180_000 })).toMatchObject({ state: 'COMPLETED', exitCode: '0:0', nodeList: 'h[1-3]' });
    const log = await readFile(join(dir, `slurm-${jobId}.out`), 'utf8');
    expect(log).toContain('servers used: 6');
    expect(log).toContain(`report: ${join(dir, 'report.html')}`);
    const local = await runCli([...FLAGS, '--replicas', '6', '--out', join(out.path, 'local')]);
    expect(local.code).toBe(0);
    expect(await readFile(join(dir, 'result.json'), 'utf8')).toBe(await readFile(join(out.path, 'local', 'result.json'), 'utf8'));
    expect(await leftovers()).toEqual([]);
  });

  it('follows its batch job with --sbatch --wait and exits as the job did', { timeout: 240_000 }, async () => {
    await using out = await tempDir('hostgrid-demo-sbatch-wait-');
    const ok = await demo(['--launcher', 'slurm', '--sbatch', '--wait', '--nodes', '2', '--slots', '2', ...FLAGS, '--out', join(out.path, 'ok')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^job \d+: RUNNING on h\[1-2\]$/m);
    expect(ok.stdout).toMatch(/^job \d+: COMPLETED$/m);
    expect(existsSync(join(out.path, 'ok', 'report.html'))).toBe(true);
    // a job whose run fails (its shared temp folder cannot be made under a file): the command fails too, naming the log
    await writeFile(join(out.path, 'a-file'), '');
    const failing = await demo(['--launcher', 'slurm', '--sbatch', '--wait', '--nodes', '2', '--slots', '1', '--shared-temp', join(out.path, 'a-file', 'work'), ...FLAGS, '--out', join(out.path, 'bad')]);
    expect(failing.code).toBe(1);
    const jobId = /^submitted batch job (\d+)/m.exec(failing.stdout)?.[1];
    expect(failing.stderr).toBe(`hostgrid-demo: batch job ${jobId} ended FAILED (exit code 1:0); see ${join(out.path, 'bad', `slurm-${jobId}.out`)}\n`);
    expect(await readFile(join(out.path, 'bad', `slurm-${jobId}.out`), 'utf8')).toMatch(/^hostgrid-demo: run failed: .*a-file\/work.*not a directory/m);
    expect(await leftovers()).toEqual([]);
  });

  it('says in one line when it is not inside an allocation', async () => {
    await using out = await tempDir('hostgrid-demo-noalloc-');
    const run = await demo(['--launcher', 'slurm', ...FLAGS, '--out', out.path]);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^hostgrid-demo: cannot use the slurm allocation: SlurmAllocationError: not inside a SLURM allocation: SLURM_JOB_NODELIST \(or SLURM_NODELIST\) is not set/);
  });
});
