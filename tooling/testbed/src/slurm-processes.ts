/**
 * Finding a SLURM test bed's processes outside its nodes: clients (`srun`, `salloc`,
 * `sbatch`) and slurmctld's helpers carry the test bed's `SLURM_CONF` in their
 * environment, which no other process on the machine has.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TestbedError } from './errors.js';
import { allPids, type CommandResult, isGone } from './system.js';

function environ(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** This process and its ancestors: never killed, even if they were started inside an allocation. */
function selfAndAncestors(): Set<number> {
  const chain = new Set<number>();
  for (let pid: number | undefined = process.pid; pid !== undefined && pid > 1 && !chain.has(pid); pid = parentOf(pid)) chain.add(pid);
  return chain;
}

/** Live processes whose environment says `SLURM_CONF=<confPath>`, this process and its ancestors excepted. */
export function processesWithConf(confPath: string): number[] {
  const spare = selfAndAncestors();
  const wanted = `SLURM_CONF=${confPath}\0`;
  return allPids().filter((pid) => !spare.has(pid) && !isGone(pid) && (environ(pid)?.includes(wanted) ?? false));
}

/** Live processes whose environment sets `SLURM_CONF` to a file under `dir`. */
export function processesWithConfUnder(dir: string): number[] {
  const spare = selfAndAncestors();
  const wanted = `SLURM_CONF=${dir}/`;
  return allPids().filter((pid) => !spare.has(pid) && !isGone(pid) && (environ(pid)?.includes(wanted) ?? false));
}

/** Output kept per stream; more than this is cut from the front. */
const MAX_OUTPUT = 1 << 20;

/**
 * Runs `file` with `args` (no shell) in the environment given (nothing inherited), and
 * collects its output; kills it with SIGKILL after `timeoutMs`. Rejects only when it
 * cannot start.
 */
export function runWithEnv(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-MAX_OUTPUT)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-MAX_OUTPUT)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    timer.unref();
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new TestbedError(`[testbed] cannot run ${file}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal });
    });
  });
}

/** The environment of this process without SLURM's job variables (a test may itself run inside an allocation), plus `extra`. */
export function cleanEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SLURM_') && !name.startsWith('SBATCH_') && !name.startsWith('SALLOC_')) env[name] = value;
  return { ...env, ...extra };
}
