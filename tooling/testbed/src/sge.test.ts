import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ChildWithBed, childWithBed as startChild, until } from './fixtures/child-bed.js';
import { cleanupSgeLeftovers, type SgeTestbed, startSge } from './index.js';
import { parseQacct, parseQstat } from './sge-output.js';
import { pidsWithGroupIn } from './sge-processes.js';
import { isGone, processStartTime } from './system.js';

/** A process named for good: pids are reused quickly on a busy machine (pid_max may be 32768). */
type Process = readonly [pid: number, start: number];
type BedFacts = Pick<SgeTestbed, 'dir' | 'cell'> & { daemons: Process[]; jobPids: Process[] };

const identify = (pids: readonly number[]): Process[] => pids.map((pid) => [pid, processStartTime(pid) ?? -1] as const);
const running = ([pid, start]: Process): boolean => !isGone(pid) && processStartTime(pid) === start;

/** What a stopped SGE test bed must not leave: daemons, job processes, its cell link, its dir, an /etc/hosts line. */
function expectNothingLeft(bed: BedFacts, hostsBefore: string): void {
  for (const process of [...bed.daemons, ...bed.jobPids]) expect(running(process), `pid ${process[0]}`).toBe(false);
  expect(existsSync(`/var/lib/gridengine/${bed.cell}`), bed.cell).toBe(false);
  expect(existsSync(bed.dir)).toBe(false);
  expect(readFileSync('/etc/hosts', 'utf8')).toBe(hostsBefore);
}

/**
 * A job script: it records its PE_HOSTFILE and NSLOTS, starts one `qrsh -inherit` task
 * per slot that prints where it ran (and then sleeps for `sleepS`), and exits 3.
 */
async function jobScript(dir: string, sleepS: number): Promise<string> {
  const path = join(dir, 'job.sh');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      `out=${dir}/out`,
      'mkdir -p "$out"',
      'cp "$PE_HOSTFILE" "$out/pe_hostfile"',
      'echo "$NSLOTS" > "$out/nslots"',
      'host=$(cut -d" " -f1 "$PE_HOSTFILE" | head -n 1)',
      'i=0',
      'while [ $i -lt "$NSLOTS" ]; do',
      `  qrsh -inherit "$host" "echo task $i on \\$(hostname) pid \\$\\$; sleep ${sleepS}" > "$out/task$i" 2>&1 &`,
      '  i=$((i + 1))',
      'done',
      'wait',
      'exit 3',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return path;
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Runs a script that starts an SGE test bed from the built package and prints it as JSON once a job runs. */
function childWithBed(then: 'exit' | 'hang'): Promise<ChildWithBed<BedFacts & { gidRange: [number, number] }>> {
  return startChild(
    (dist) => `
    const { startSge } = await import(${JSON.stringify(dist)});
    const { readFileSync } = await import('node:fs');
    const bed = await startSge({ slots: 2, name: 'child' });
    await bed.qsub(['-b', 'y', '-o', '/dev/null', '-j', 'y', '/bin/sleep', '600']);
    const cmdline = (pid) => { try { return readFileSync('/proc/' + pid + '/cmdline', 'utf8'); } catch { return ''; } };
    const start = (pid) => { try { const stat = readFileSync('/proc/' + pid + '/stat', 'utf8'); return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]); } catch { return -1; } };
    // Once the job's sleep runs, its shepherd and shell are in place (no short-lived forks).
    while (!bed.jobProcesses().some((pid) => cmdline(pid).startsWith('/bin/sleep'))) await new Promise((resolve) => setTimeout(resolve, 100));
    const { gidRange } = JSON.parse(readFileSync(bed.dir + '/owner.json', 'utf8'));
    const identify = (pids) => pids.map((pid) => [pid, start(pid)]);
    console.log(JSON.stringify({ dir: bed.dir, cell: bed.cell, daemons: identify([bed.qmasterPid, bed.execdPid]), jobPids: identify(bed.jobProcesses()), gidRange }));
    ${then === 'exit' ? 'process.exit(0);' : 'setInterval(() => {}, 1000);'}
  `,
  );
}

describe('startSge', () => {
  it('runs a parallel job whose script starts one qrsh -inherit task per slot, and reports its exit status', async () => {
    await using sge = await startSge({ slots: 4 });
    expect(sge.env).toMatchObject({ SGE_ROOT: '/var/lib/gridengine', SGE_CELL: sge.cell });
    expect(sge.cell).toMatch(/^hostgrid\d+$/);
    const script = await jobScript(sge.dir, 0);
    const id = await sge.qsub(['-pe', 'smp', '4', '-o', join(sge.dir, 'job.out'), '-j', 'y', script]);
    const result = await sge.waitForJob(id);
    expect(result).toEqual({ id, exitStatus: 3, failed: '0' });
    const out = join(sge.dir, 'out');
    expect(await readFile(join(out, 'pe_hostfile'), 'utf8')).toBe(`${sge.hostname} 4 all.q@${sge.hostname} UNDEFINED\n`);
    expect((await readFile(join(out, 'nslots'), 'utf8')).trim()).toBe('4');
    for (let i = 0; i < 4; i += 1) expect(await readFile(join(out, `task${i}`), 'utf8')).toMatch(new RegExp(`^task ${i} on ${sge.hostname} pid \\d+\\n$`));
    expect(await sge.jobs()).toEqual([]);
    expect(sge.jobProcesses()).toEqual([]);
  });

  it('stops the daemons and a running job\'s processes by pid and leaves the machine as it found it', async () => {
    const hostsBefore = readFileSync('/etc/hosts', 'utf8');
    const sge = await startSge({ slots: 2 });
    const script = await jobScript(sge.dir, 600);
    const id = await sge.qsub(['-pe', 'smp', '2', '-o', '/dev/null', '-j', 'y', script]);
    expect(await until(() => sge.jobs(), (jobs) => jobs[0]?.state === 'r', 30_000)).toMatchObject([{ id, state: 'r', slots: 2 }]);
    const sleeps = (): number => sge.jobProcesses().filter((pid) => readCmdline(pid).startsWith('sleep')).length;
    expect(await until(sleeps, (n) => n === 2, 30_000)).toBe(2);
    // The job script, 2 qrsh clients, their shepherds and the tasks' shells and sleeps.
    const jobPids = identify(sge.jobProcesses());
    expect(jobPids.length).toBeGreaterThanOrEqual(7);
    const facts = { dir: sge.dir, cell: sge.cell, daemons: identify([sge.qmasterPid, sge.execdPid]), jobPids };
    await sge.stop();
    expectNothingLeft(facts, hostsBefore);
    await sge.stop();
  });

  it('gives two test beds at once their own cells, ports and group ids, and both run jobs', async () => {
    await using a = await startSge({ slots: 1, name: 'a' });
    await using b = await startSge({ slots: 1, name: 'b' });
    expect(a.cell).not.toBe(b.cell);
    expect(a.env['SGE_QMASTER_PORT']).not.toBe(b.env['SGE_QMASTER_PORT']);
    // qsub -b y joins its arguments into one command line: a script says what it means.
    const ids = await Promise.all(
      [a, b].map(async (sge) => {
        await writeFile(join(sge.dir, 'exit7.sh'), '#!/bin/sh\nexit 7\n', { mode: 0o755 });
        return sge.qsub(['-b', 'y', '-o', '/dev/null', '-j', 'y', join(sge.dir, 'exit7.sh')]);
      }),
    );
    expect(await Promise.all([a.waitForJob(ids[0]!), b.waitForJob(ids[1]!)])).toMatchObject([{ exitStatus: 7 }, { exitStatus: 7 }]);
  });

  it('removes everything it made when the start fails half way', async () => {
    const hostsBefore = readFileSync('/etc/hosts', 'utf8');
    const error = await startSge({ readyTimeoutMs: 1 }).then(() => undefined, (e: unknown) => e);
    expect((error as Error).name).toBe('TestbedStartError');
    expect((error as Error).message).toMatch(/everything made so far was removed\): \[testbed\] timed out after 1 ms waiting for sge_(qmaster to answer|execd on .* to report to the qmaster)/);
    const dir = (error as { dir: string }).dir;
    expect(dir).toMatch(/^\/tmp\/hostgrid-sge-sge-/);
    expect(existsSync(dir)).toBe(false);
    expect(readFileSync('/etc/hosts', 'utf8')).toBe(hostsBefore);
  });

  it('stops a test bed the process did not stop, from its exit hook', async () => {
    const hostsBefore = readFileSync('/etc/hosts', 'utf8');
    const { bed, child } = await childWithBed('exit');
    await new Promise((resolve) => child.once('exit', resolve));
    expectNothingLeft(bed, hostsBefore);
    expect(pidsWithGroupIn(bed.gidRange)).toEqual([]);
  });

  it('cleanupSgeLeftovers removes the test bed of a SIGKILLed owner and keeps a live one', async () => {
    const hostsBefore = readFileSync('/etc/hosts', 'utf8');
    await using live = await startSge({ slots: 1, name: 'live' });
    const { bed, child } = await childWithBed('hang');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(running(bed.daemons[0]!)).toBe(true);
    const report = await cleanupSgeLeftovers();
    expect(report.cells).toContain(bed.cell);
    expect(report.kept).toContain(live.cell);
    expect(report.dirs).toContain(bed.dir);
    expect(report.pids).toEqual(expect.arrayContaining(bed.daemons.map(([pid]) => pid)));
    expectNothingLeft(bed, hostsBefore);
    expect(pidsWithGroupIn(bed.gidRange)).toEqual([]);
    expect((await live.run('qconf', ['-sh'])).code).toBe(0);
  });
});

describe('SGE output parsing', () => {
  it('reads running and waiting jobs from qstat', () => {
    const text = [
      'job-ID  prior   name       user         state submit/start at     queue                          slots ja-task-ID ',
      '-----------------------------------------------------------------------------------------------------------------',
      '      4 0.50000 sleep      root         r     11/21/2026 16:08:33 all.q@vm                           8        ',
      '      5 0.00000 job.sh     root         qw    11/21/2026 15:46:45                                    4        ',
      '',
    ].join('\n');
    expect(parseQstat(text)).toEqual([
      { id: 4, name: 'sleep', state: 'r', slots: 8 },
      { id: 5, name: 'job.sh', state: 'qw', slots: 4 },
    ]);
    expect(parseQstat('')).toEqual([]);
  });

  it('takes the last accounting record of a job (its tasks come first)', () => {
    const record = (job: number, exit: number, failed: string): string => `==============================================================\nqname        all.q\njobnumber    ${job}\nfailed       ${failed}\nexit_status  ${exit}\n`;
    expect(parseQacct(record(6, 0, '0') + record(6, 137, '100 : assumedly after job'), 6)).toEqual({ id: 6, exitStatus: 137, failed: '100 : assumedly after job' });
    expect(parseQacct(record(6, 0, '0'), 7)).toBeUndefined();
  });
});
