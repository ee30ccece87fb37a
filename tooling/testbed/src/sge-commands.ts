/**
 * Running SGE's commands against one test bed's cell: every call gets the cell's
 * environment, and a failure quotes what the command said.
 */
import { type CommandResult, run, runOk, type RunOptions } from './system.js';

/** How to run one command. */
export interface SgeRunOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly input?: string;
  /** Killed (SIGKILL) after this long. @defaultValue 30000 */
  readonly timeoutMs?: number;
}

/** {@link run}'s options for `options`: the cell's environment only, killed after 30 s by default. */
function runOptions(options: SgeRunOptions): RunOptions {
  return {
    env: { ...options.env },
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.input === undefined ? {} : { input: options.input }),
  };
}

/** Runs `file` with `args` (no shell) and collects its output. Rejects only when it cannot start. */
export function runSge(file: string, args: readonly string[], options: SgeRunOptions): Promise<CommandResult> {
  return run(file, args, runOptions(options));
}

/** Runs a command that must succeed; the error names what was being done and quotes its output. */
export function runSgeOk(what: string, file: string, args: readonly string[], options: SgeRunOptions): Promise<string> {
  return runOk(what, file, args, runOptions(options));
}
