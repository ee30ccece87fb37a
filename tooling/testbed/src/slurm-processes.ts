/**
 * Finding a SLURM test bed's processes outside its nodes: its daemons, slurmctld's helper
 * and clients left over (`srun`, `salloc`, …) are SLURM or munge programs that carry the
 * test bed's `SLURM_CONF` in their environment. Both must hold: a user's shell that
 * exported that `SLURM_CONF` (as the README suggests), and every program started from it,
 * carry it too, and are never touched.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { allPids, type CommandResult, isGone, processExe, run } from './system.js';

/** The programs a SLURM test bed runs or leaves behind (slurmscriptd is a slurmctld fork). */
const SLURM_PROGRAMS = new Set(['munged', 'slurmctld', 'slurmd', 'slurmstepd', 'srun', 'salloc', 'sbatch', 'scancel', 'scontrol', 'squeue', 'sinfo', 'sacct', 'sattach', 'sbcast']);

/** Whether a process runs one of {@link SLURM_PROGRAMS} (Debian installs the daemons as `slurmctld-wlm` and so on). */
function isSlurmProgram(pid: number): boolean {
  const exe = processExe(pid);
  return exe !== undefined && SLURM_PROGRAMS.has(basename(exe).replace(/-wlm$/, ''));
}

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

/**
 * Live SLURM and munge programs whose environment holds `wanted`, and SLURM programs
 * they forked (slurmscriptd rewrites its environment with its process title), this
 * process and its ancestors excepted.
 */
function slurmProcessesWith(wanted: string): number[] {
  const spare = selfAndAncestors();
  const candidates = allPids().filter((pid) => !spare.has(pid) && !isGone(pid) && isSlurmProgram(pid));
  const found = new Set(candidates.filter((pid) => environ(pid)?.includes(wanted) ?? false));
  for (const pid of candidates) if (found.has(parentOf(pid) ?? 0)) found.add(pid);
  return [...found];
}

/** Live SLURM and munge programs whose environment says `SLURM_CONF=<confPath>` (this process and its ancestors excepted). */
export function processesWithConf(confPath: string): number[] {
  return slurmProcessesWith(`SLURM_CONF=${confPath}\0`);
}

/** Live SLURM and munge programs whose environment sets `SLURM_CONF` to a file under `dir`. */
export function processesWithConfUnder(dir: string): number[] {
  return slurmProcessesWith(`SLURM_CONF=${dir}/`);
}

/**
 * Runs `file` with `args` (no shell) in the environment given (nothing inherited), and
 * collects its output; kills it with SIGKILL after `timeoutMs`. Rejects only when it
 * cannot start.
 */
export function runWithEnv(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CommandResult> {
  return run(file, args, { env, timeoutMs });
}

/** The environment of this process without SLURM's job variables (a test may itself run inside an allocation), plus `extra`. */
export function cleanEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SLURM_') && !name.startsWith('SBATCH_') && !name.startsWith('SALLOC_')) env[name] = value;
  return { ...env, ...extra };
}
