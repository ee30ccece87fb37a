import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The folder the outer test gave the job for the grid's temp folders (the "shared file system"). */
export function jobTempDir(): string {
  const dir = process.env['HOSTGRID_SGE_TEMP'];
  if (dir === undefined || dir === '') throw new Error('[launcher-sge test] HOSTGRID_SGE_TEMP is not set: these tests run inside the SGE job that src/conformance.test.ts submits');
  return dir;
}

/** This job's id. */
export function jobId(): string {
  const id = process.env['JOB_ID'];
  if (id === undefined || id === '') throw new Error('[launcher-sge test] JOB_ID is not set: these tests run inside an SGE job');
  return id;
}

/** This job's state as `qstat` lists it: `r` while running, `dr` once SGE is deleting it (a task failed, say). */
export function jobState(): string | undefined {
  const result = spawnSync('qstat', [], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`[launcher-sge test] qstat failed: ${result.stderr}`);
  const line = result.stdout
    .split('\n')
    .map((text) => text.trim().split(/\s+/))
    .find((fields) => fields[0] === jobId());
  return line?.[4];
}

/** Polls `read` every 100 ms until `check` holds or `timeoutMs` passes; returns the last value. */
export async function until<T>(read: () => T, check: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Processes of this job's workers still on this machine: `qrsh` clients, the tasks'
 * `qrsh_starter`, host-side shells and workers (their environment names this job, their
 * command line a hostgrid worker or qrsh's starter). The controller itself is not one.
 */
export function workerProcesses(): number[] {
  const job = `JOB_ID=${jobId()}`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      const command = read(`/proc/${pid}/cmdline`);
      if (!command.includes('hostgrid-worker') && !command.includes('qrsh_starter')) return false;
      const stat = read(`/proc/${pid}/stat`);
      if (stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
      return read(`/proc/${pid}/environ`).split('\0').includes(job);
    })
    .map(Number);
}

/** The accounting records SGE wrote so far for this job's tasks: `failed` and `exit_status` of each. */
export function taskAccounting(): Array<{ failed: string; exitStatus: number }> {
  const result = spawnSync('qacct', ['-j', jobId()], { encoding: 'utf8' });
  if (result.status !== 0) return [];
  return result.stdout
    .split(/^=+$/m)
    .map((block) => ({ failed: /^failed\s+(.*?)\s*$/m.exec(block)?.[1], exit: /^exit_status\s+(\d+)/m.exec(block)?.[1] }))
    .filter((record): record is { failed: string; exit: string } => record.failed !== undefined && record.exit !== undefined)
    .map((record) => ({ failed: record.failed, exitStatus: Number(record.exit) }));
}
