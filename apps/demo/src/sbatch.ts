import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CliOptions } from './args.js';

const run = promisify(execFile);

/** Job states after which a SLURM job does nothing more. */
const FINAL_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);

/** Quotes a string for a POSIX shell: one single-quoted word. */
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The demo's own command line for the batch job: the same model, `--launcher slurm`, the
 * output folder as an absolute path (the job may start elsewhere), and no `--sbatch`.
 */
export function batchArgs(cli: CliOptions, outDir: string): string[] {
  const { config } = cli;
  return [
    '--launcher', 'slurm',
    '--replicas', String(config.replicas), '--rounds', String(config.rounds), '--sweeps', String(config.sweeps), '--size', String(config.size),
    '--tmin', String(config.tmin), '--tmax', String(config.tmax), '--seed', String(config.seed),
    '--out', outDir,
    ...(cli.launcher?.sharedTemp === undefined ? [] : ['--shared-temp', cli.launcher.sharedTemp]),
    ...(cli.display ? ['--display'] : []),
    ...(cli.logLevel === 'trace' ? ['--verbose'] : cli.logLevel === 'debug' ? ['--debug'] : []),
  ];
}

/** `JobState` and `ExitCode` of `scontrol show job -o`, or `undefined` once SLURM has forgotten the job. */
async function jobState(jobId: string): Promise<{ state: string; exitCode: string; nodes: string } | undefined> {
  const { stdout } = await run('scontrol', ['show', 'job', '-o', jobId]).catch(() => ({ stdout: '' }));
  const field = (name: string): string => new RegExp(`(?:^| )${name}=(\\S*)`).exec(stdout)?.[1] ?? '';
  return stdout.includes(`JobId=${jobId} `) ? { state: field('JobState'), exitCode: field('ExitCode'), nodes: field('NodeList') } : undefined;
}

/**
 * `--sbatch`: submits this demo run as a SLURM batch job (`sbatch --parsable --no-requeue
 * --nodes=N --ntasks-per-node=S --wrap '<node> <cli.js> --launcher slurm …'`), prints its job
 * id and where its output and report will land; with `--wait`, polls `scontrol show job`
 * (not `sbatch --wait`, which polls every 10 s) until the job ends.
 *
 * @returns the exit code: 0 once submitted (with `--wait`: once COMPLETED), 1 otherwise
 */
export async function submitDemo(cli: CliOptions, outDir: string, describe: (error: unknown) => string): Promise<number> {
  const sbatch = cli.launcher?.sbatch;
  if (sbatch === undefined) throw new Error('submitDemo needs --sbatch');
  const cliPath = fileURLToPath(new URL('./cli.js', import.meta.url));
  const output = join(outDir, 'slurm-%j.out');
  let jobId: string;
  try {
    // sbatch refuses an --output in a folder that does not exist.
    await mkdir(outDir, { recursive: true });
    const { stdout } = await run('sbatch', [
      '--parsable', '--no-requeue', '--job-name=hostgrid-demo', `--nodes=${sbatch.nodes}`, `--ntasks-per-node=${sbatch.slotsPerNode}`,
      `--output=${output}`, `--chdir=${process.cwd()}`,
      `--wrap=exec ${[process.execPath, cliPath, ...batchArgs(cli, outDir)].map(quote).join(' ')}`,
    ]);
    const id = /^(\d+)/.exec(stdout.trim())?.[1];
    if (id === undefined) throw new Error(`sbatch printed no job id: ${stdout.trim()}`);
    jobId = id;
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    const why = err.code === 'ENOENT' ? "sbatch is not on PATH (is SLURM's client installed?)" : (err.stderr?.trim() || describe(error));
    process.stderr.write(`hostgrid-demo: cannot submit the batch job: ${why.replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
  const log = output.replace('%j', jobId);
  console.log(`submitted batch job ${jobId}: ${sbatch.nodes} node${sbatch.nodes === 1 ? '' : 's'} x ${sbatch.slotsPerNode} slot${sbatch.slotsPerNode === 1 ? '' : 's'} = ${cli.config.replicas} replicas`);
  console.log(`job output: ${log}`);
  console.log(`report (once it has run): ${join(outDir, 'report.html')} (result: ${join(outDir, 'result.json')})`);
  if (!sbatch.wait) {
    console.log(`follow it: squeue -j ${jobId}, or scontrol show job ${jobId}`);
    return 0;
  }
  let last = '';
  for (;;) {
    const job = await jobState(jobId);
    if (job === undefined) {
      process.stderr.write(`hostgrid-demo: SLURM no longer knows job ${jobId}; see ${log}\n`);
      return 1;
    }
    const line = job.state === 'RUNNING' ? `RUNNING on ${job.nodes}` : job.state;
    if (line !== last) console.log(`job ${jobId}: ${line}`);
    last = line;
    if (FINAL_STATES.has(job.state)) {
      if (job.state === 'COMPLETED') return 0;
      process.stderr.write(`hostgrid-demo: batch job ${jobId} ended ${job.state} (exit code ${job.exitCode}); see ${log}\n`);
      return 1;
    }
    await sleep(500);
  }
}
