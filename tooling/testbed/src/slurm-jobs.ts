/**
 * Jobs on a SLURM test bed: allocations held by a real `salloc`, and what `scontrol` and
 * `squeue` print, parsed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestbedError } from './errors.js';
import { PARTITION } from './slurm-config.js';
import type { SbatchOptions, SlurmAllocation, SlurmJobInfo, SlurmStep, SlurmTrackedPid } from './slurm-testbed.js';

/** Job states after which a job does nothing more. */
export const FINAL_JOB_STATES: ReadonlySet<string> = new Set([
  'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE',
]);

/**
 * Parses one line of `scontrol show job -o`: `Key=value` fields separated by spaces,
 * where a value may itself hold spaces (`Command=…`, `WorkDir=…`).
 */
export function parseScontrolLine(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const keys = [...line.matchAll(/(?:^|\s)([A-Za-z][\w:/]*)=/g)];
  keys.forEach((match, i) => {
    const start = (match.index ?? 0) + match[0].length;
    const end = i + 1 < keys.length ? (keys[i + 1]!.index ?? line.length) : line.length;
    fields[match[1]!] = line.slice(start, end).trim();
  });
  return fields;
}

/** A job from `scontrol show job -o` output, or `undefined` for an unknown job. */
export function jobInfo(jobId: string, output: string): SlurmJobInfo | undefined {
  const line = output.split('\n').find((text) => text.includes(`JobId=${jobId} `));
  if (line === undefined) return undefined;
  const fields = parseScontrolLine(line);
  return { jobId, state: fields['JobState'] ?? 'UNKNOWN', exitCode: fields['ExitCode'] ?? '', nodeList: fields['NodeList'] ?? '', fields };
}

/** Lines of `squeue -h --steps -o '%i %j %N'`. */
export function parseSteps(output: string): SlurmStep[] {
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 2 && /^\d+\.\S+$/.test(parts[0]!))
    .map(([stepId, name, nodeList]) => ({ stepId: stepId!, name: name!, nodeList: nodeList ?? '' }));
}

/** The table `scontrol listpids` prints (`PID JOBID STEPID LOCALID GLOBALID`). */
export function parseListPids(output: string): SlurmTrackedPid[] {
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 3 && /^\d+$/.test(parts[0]!))
    .map(([pid, jobId, stepId]) => ({ pid: Number(pid), jobId: jobId!, stepId: stepId! }));
}

/** `sbatch`'s arguments for `command`: parsable output, never requeued, in the test bed's partition. */
export function sbatchArgs(command: readonly string[], defaults: { readonly nodes: number; readonly output: string }, options: SbatchOptions): string[] {
  const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;
  return [
    '--parsable', '--no-requeue', `--partition=${PARTITION}`, `--nodes=${options.nodes ?? defaults.nodes}`, `--ntasks-per-node=${options.tasksPerNode ?? 1}`,
    `--output=${options.output ?? defaults.output}`, `--chdir=${options.chdir ?? process.cwd()}`, ...(options.args ?? []),
    `--wrap=exec ${command.map(quote).join(' ')}`,
  ];
}

/** Polls `show` (scontrol show job) every 200 ms until the job is in a final state. */
export async function waitForJob(show: (jobId: string) => Promise<SlurmJobInfo | undefined>, jobId: string, timeoutMs: number): Promise<SlurmJobInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await show(jobId);
    if (info === undefined) throw new TestbedError(`[testbed] job ${jobId} is not known to slurmctld`);
    if (FINAL_JOB_STATES.has(info.state)) return info;
    if (Date.now() > deadline) throw new TestbedError(`[testbed] job ${jobId} still ${info.state} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

const ENV_END = 'hostgrid-testbed-allocation-env-end';

/**
 * An allocation held by `salloc … /bin/sh -c 'env -0; …; exec cat'`: the command prints
 * the allocation's environment, then waits on its stdin; ending stdin ends the command and
 * `salloc` gives the allocation back.
 */
export class HeldAllocation implements SlurmAllocation {
  jobId = '';
  env: Record<string, string> = {};
  readonly #child: ChildProcess;
  readonly #scancel: (jobId: string) => Promise<unknown>;
  #stderr = '';
  #exit: string | undefined;
  readonly #exited: Promise<void>;
  #releasing: Promise<void> | undefined;

  constructor(salloc: string, args: readonly string[], env: NodeJS.ProcessEnv, scancel: (jobId: string) => Promise<unknown>) {
    this.#scancel = scancel;
    const script = `env -0 && printf '\\0${ENV_END}\\0' && exec cat >/dev/null`;
    this.#child = spawn(salloc, [...args, '/bin/sh', '-c', script], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-16_384);
      const granted = /Granted job allocation (\d+)/.exec(this.#stderr) ?? /job allocation (\d+)/.exec(this.#stderr);
      if (granted && this.jobId === '') this.jobId = granted[1]!;
    });
    this.#child.stdin?.on('error', () => undefined);
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exit = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
    });
  }

  /** The pid of `salloc`. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Resolves once the environment has been printed, i.e. the allocation is granted. */
  async granted(timeoutMs: number): Promise<void> {
    const chunks: Buffer[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      this.#child.stdout?.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const text = Buffer.concat(chunks).toString('utf8');
        const end = text.indexOf(`\0${ENV_END}\0`);
        if (end < 0) return;
        for (const entry of text.slice(0, end).split('\0')) {
          const at = entry.indexOf('=');
          if (at > 0 && entry.startsWith('SLURM_')) this.env[entry.slice(0, at)] = entry.slice(at + 1);
        }
        this.jobId = this.env['SLURM_JOB_ID'] ?? this.jobId;
        resolve();
      });
      void this.#exited.then(() => reject(new TestbedError(`[testbed] salloc exited with ${this.#exit} before the allocation was granted: ${this.#stderr.trim() || '(nothing on stderr)'}`)));
    });
    const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
    const outcome = await Promise.race([ready.then(() => 'ready' as const), timer]);
    if (outcome === 'timeout') {
      await this.release();
      throw new TestbedError(`[testbed] salloc was not granted an allocation within ${timeoutMs} ms: ${this.#stderr.trim() || '(nothing on stderr)'}`);
    }
  }

  release(): Promise<void> {
    this.#releasing ??= (async () => {
      this.#child.stdin?.end();
      if (await Promise.race([this.#exited.then(() => true), sleep(10_000, false, { ref: false })])) return;
      // salloc that does not let go: cancel the job, then end salloc itself.
      if (this.jobId !== '') await this.#scancel(this.jobId).catch(() => undefined);
      this.#child.kill('SIGTERM');
      if (await Promise.race([this.#exited.then(() => true), sleep(5_000, false, { ref: false })])) return;
      this.#child.kill('SIGKILL');
      await this.#exited;
    })();
    return this.#releasing;
  }

  /** For the exit hook: SIGKILL, nothing awaited. */
  killSync(): void {
    if (this.#exit === undefined) this.#child.kill('SIGKILL');
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
