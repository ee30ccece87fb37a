/**
 * One daemon of a SLURM test bed (munged, slurmctld, a slurmd), tracked by pid: started
 * in the foreground, its output kept for error messages, stopped by pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestbedError } from './errors.js';

/** Bytes of a daemon's output kept for error messages. */
const OUTPUT_KEPT = 16_384;

/** A running (or exited) daemon. */
export class SlurmDaemon {
  /** What it is, for messages: `"slurmctld"`, `"slurmd h2"`, `"munged"`. */
  readonly what: string;
  readonly pid: number;
  readonly #child: ChildProcess;
  #output = '';
  #exit: string | undefined;
  readonly #exited: Promise<void>;

  private constructor(what: string, child: ChildProcess, pid: number) {
    this.what = what;
    this.#child = child;
    this.pid = pid;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        this.#output = (this.#output + chunk).slice(-OUTPUT_KEPT);
      });
      // A test bed someone forgot to dispose of must not keep the process alive.
      (stream as (Readable & { unref?: () => void }) | null)?.unref?.();
    }
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
    });
    child.unref();
  }

  /**
   * Starts `file args…` with its output piped (kept, not shown) and its own environment.
   * The pid is the daemon's own only when every wrapper in `args` execs (`nsenter` and
   * `unshare` without `--fork`, `setpriv`, `sh -c '… exec …'` all do).
   */
  static async start(what: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<SlurmDaemon> {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new TestbedError(`[testbed] cannot start ${what}: ${error.message}`, { cause: error });
    }
    return new SlurmDaemon(what, child, child.pid);
  }

  /** Whether it still runs (its exit has not been seen). */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** What it wrote to stdout and stderr (the last 16 KiB). */
  get output(): string {
    return this.#output;
  }

  /** How it ended: `"code 1"`, `"signal SIGKILL"`; `undefined` while it runs. */
  get exit(): string | undefined {
    return this.#exit;
  }

  /** Throws, quoting its output, when it has exited. */
  assertRunning(doing: string): void {
    if (this.#exit === undefined) return;
    throw new TestbedError(`[testbed] ${this.what} (pid ${this.pid}) exited with ${this.#exit} ${doing}: ${this.#output.trim() || '(no output)'}`);
  }

  /** Resolves `true` once it has exited; `false` if it still runs after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    if (this.#exit !== undefined) return true;
    return Promise.race([this.#exited.then(() => true), sleep(timeoutMs, false, { ref: false })]);
  }

  /** Sends a signal if it still runs. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.#child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs: number): Promise<void> {
    this.kill('SIGTERM');
    if (await this.waitExit(graceMs)) return;
    this.kill('SIGKILL');
    if (!(await this.waitExit(5_000))) throw new TestbedError(`[testbed] ${this.what} (pid ${this.pid}) survived SIGKILL`);
  }
}
