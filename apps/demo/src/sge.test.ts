import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSge } from '@hostgrid/testbed';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './fixtures/cli.js';
import { distPath } from './fixtures/dist.js';
import { tempDir } from './fixtures/temp-dir.js';
import type { ReportData } from './report-data.js';

const FLAGS = ['--rounds', '20', '--sweeps', '4', '--size', '10', '--seed', '21'];
const SLOTS = 4;

// A real single-node Sun Grid Engine (@hostgrid/testbed: a private cell, sge_qmaster,
// sge_execd, queue all.q, parallel environment smp); needs root and the gridengine
// packages (provision-sge.sh).
const sge = await startSge({ slots: SLOTS, name: 'demo-sge' });
afterAll(() => sge.stop());

/** `failed` and `exit_status` of every accounting record of a job: one per qrsh -inherit task, then the job's own. */
async function accounting(id: number): Promise<Array<{ failed: string; exitStatus: number }>> {
  const { stdout } = await sge.run('qacct', ['-j', String(id)]);
  return stdout
    .split(/^=+$/m)
    .map((block) => ({ failed: /^failed\s+(.*?)\s*$/m.exec(block)?.[1], exit: /^exit_status\s+(\d+)/m.exec(block)?.[1] }))
    .filter((record): record is { failed: string; exit: string } => record.failed !== undefined && record.exit !== undefined)
    .map((record) => ({ failed: record.failed, exitStatus: Number(record.exit) }));
}

describe('the demo inside an SGE parallel job (single-node test bed, workers by qrsh -inherit)', () => {
  it('runs the replica exchange with --launcher sge: the same result.json as the local run, one server per slot, nothing left running', { timeout: 300_000 }, async () => {
    await using out = await tempDir('hostgrid-demo-sge-');
    const cli = distPath('cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build the demo first (npm run build --workspace @hostgrid/demo)`);
    const dir = join(out.path, 'sge');
    const id = await sge.qsub(['-pe', 'smp', String(SLOTS), '-N', 'hostgrid-demo', '-wd', out.path, '-o', join(out.path, 'job.out'), '-j', 'y', '-b', 'y', process.execPath, cli, '--launcher', 'sge', ...FLAGS, '--out', dir]);
    const job = await sge.waitForJob(id, { timeoutMs: 240_000 });
    const log = await readFile(join(out.path, 'job.out'), 'utf8');
    expect(job, log).toEqual({ id, exitStatus: 0, failed: '0' });
    expect(log).toContain(`servers used: ${SLOTS}`);
    expect(log).toContain(`report: ${join(dir, 'report.html')}`);

    const local = await runCli([...FLAGS, '--replicas', String(SLOTS), '--out', join(out.path, 'local')]);
    expect(local.code).toBe(0);
    const read = (folder: string, file: string): Promise<string> => readFile(join(out.path, folder, file), 'utf8');
    expect(await read('sge', 'result.json')).toBe(await read('local', 'result.json'));
    const report = JSON.parse(await read('sge', 'report.json')) as ReportData;
    expect(report.run.transport).toBe('sge');
    expect(report.run.hosts).toEqual([{ name: sge.hostname, slots: SLOTS }]);
    expect(report.timeline!.servers.map((s) => `${s.host}/${s.slot}:${s.calls}`)).toEqual(Array.from({ length: SLOTS }, (_, slot) => `${sge.hostname}/${slot}:21`));

    // Every worker was a task of the job that ended by itself when the grid terminated:
    // exit status 0, not failed, and not killed at the job's end (which SGE records as 137).
    const records = await accounting(id);
    expect(records).toHaveLength(SLOTS + 1);
    expect(records).toEqual(Array(SLOTS + 1).fill({ failed: '0', exitStatus: 0 }));
    // The grid's shared temp folder (in the output folder) was removed, and nothing runs on.
    expect(existsSync(join(dir, '.hostgrid-work'))).toBe(false);
    expect(await sge.jobs()).toEqual([]);
    expect(sge.jobProcesses()).toEqual([]);
  });

  it('says in one line when it is not inside a parallel job', async () => {
    await using out = await tempDir('hostgrid-demo-nojob-');
    const run = await runCli(['--launcher', 'sge', ...FLAGS, '--out', out.path]);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^hostgrid-demo: cannot use the sge allocation: SgeJobError: not inside an SGE job \(JOB_ID is not set either\): PE_HOSTFILE is not set/);
  });
});
