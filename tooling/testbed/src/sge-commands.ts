/**
 * Running SGE's commands against one test bed's cell: every call gets the cell's
 * environment, and a failure quotes what the command said.
 */
import { spawn } from 'node:child_process';
import { TestbedError } from './errors.js';
import type { CommandResult } from './system.js';

/** Output kept per stream; more than this is cut from the front. */
const MAX_OUTPUT = 1 << 20;

/** How to run one command. */
export interface SgeRunOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly input?: string;
  /** Killed (SIGKILL) after this long. @defaultValue 30000 */
  readonly timeoutMs?: number;
}

/** Runs `file` with `args` (no shell) and collects its output. Rejects only when it cannot start. */
export function runSge(file: string, args: readonly string[], options: SgeRunOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = (stdout + chunk).slice(-MAX_OUTPUT);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_OUTPUT);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    timer.unref();
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new TestbedError(`[testbed] cannot run ${file}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command that must succeed; the error names what was being done and quotes its output. */
export async function runSgeOk(what: string, file: string, args: readonly string[], options: SgeRunOptions): Promise<string> {
  const result = await runSge(file, args, options);
  if (result.code !== 0) {
    throw new TestbedError(
      `[testbed] ${what} failed: \`${[file, ...args].join(' ')}\` exited with ` +
        `${result.code ?? result.signal}: ${(result.stderr.trim() || result.stdout.trim()).slice(0, 2000)}`,
    );
  }
  return result.stdout;
}
