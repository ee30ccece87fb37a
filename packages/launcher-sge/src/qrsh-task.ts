import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { type ChannelHandlers, LaunchedChannel, type StreamProcess } from '@hostgrid/core';
import { SgeJobError } from './errors.js';
import { PID_LINE } from './worker-command.js';

/** What a {@link QrshTask} needs besides the `qrsh` process. */
export interface QrshTaskOptions {
  /** `qrsh worker for host "node01" slot 0`, for messages. */
  readonly what: string;
  readonly host: string;
  readonly slot: number;
  /** The worker runtime's path, which a local pid's command line must show before it is killed. */
  readonly workerEntry: string;
  /** Whether a worker found to run on this machine may be SIGKILLed by pid. */
  readonly killLocally: boolean;
  /** How long a killed worker on another host may take to end before its channel is given up. */
  readonly detachAfterMs: number;
  readonly maxFrameBytes: number | undefined;
}

/** Signal names by number, to tell "exited with 128 + n" from a plain exit. */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]));

/** This machine's kernel boot id: a worker whose host reports the same one runs here. */
function localBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}
const LOCAL_BOOT_ID = localBootId();

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * One worker started as a task of the job with `qrsh -inherit`: the `qrsh` process, the
 * frame channel over its stdin and stdout (a `LaunchedChannel`), and the pid and machine
 * the host-side shell reports on stderr. Until that report has come, nothing reaches the
 * grid's handlers: a task that fails to start rejects `started` instead, with qrsh's words.
 */
export class QrshTask {
  /** The channel and its start; `open` hands it to the grid. */
  readonly launched: LaunchedChannel;
  /** The worker's pid on its host, once reported. */
  pid: number | undefined;
  /** Whether the worker runs on this machine (same kernel boot id) and may be killed by pid, once reported. */
  local = false;
  readonly #child: ChildProcess;
  readonly #options: QrshTaskOptions;
  #exited = false;
  #killed = false;
  #detach: NodeJS.Timeout | undefined;
  readonly #closeListeners: Array<(code: number | null, signal: NodeJS.Signals | null) => void> = [];
  readonly #errorListeners: Array<(error: Error) => void> = [];

  constructor(child: ChildProcess, handlers: ChannelHandlers, options: QrshTaskOptions) {
    this.#child = child;
    this.#options = options;
    child.on('error', (error) => this.#emitError(error));
    child.once('close', (code, signal) => {
      this.#exited = true;
      clearTimeout(this.#detach);
      this.#emitClose(...this.#how(code, signal));
    });
    // The channel sees qrsh through this adapter, which can also end it by itself when a
    // worker on another host cannot be reached to be killed.
    const process: StreamProcess = {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      once: (_event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void) => this.#closeListeners.push(listener),
      on: (_event: 'error', listener: (error: Error) => void) => this.#errorListeners.push(listener),
    };
    this.launched = new LaunchedChannel(process, handlers, {
      what: options.what,
      host: options.host,
      slot: options.slot,
      name: 'the worker (a qrsh -inherit task)',
      marker: PID_LINE,
      onMarker: (match) => {
        this.pid = Number(match[1]);
        this.local = options.killLocally && match[2] !== '' && match[2] === LOCAL_BOOT_ID;
        // Killed while it was starting: now that its pid is known, a local worker goes at once.
        if (this.#killed) this.#killLocal();
      },
      kill: () => this.kill(),
      pid: () => this.pid,
      // SGE refusing the task (not a granted host, no free slot, not inside the job) is an SgeJobError.
      startError: (error, said) => (/executing task of job \d+ failed|not granted|didn't accept task|JOB_ID/.test(said) ? new SgeJobError(error) : undefined),
      maxFrameBytes: options.maxFrameBytes,
    });
  }

  /** Resolves once the channel has ended and `closed` was handled (or swallowed, for a failed start). */
  get gone(): Promise<void> {
    return this.launched.gone;
  }

  /**
   * Ends the worker without ending the job. Its input is closed at once (a worker between
   * calls exits on that). A worker on this machine is also SIGKILLed by pid (after
   * checking that the pid still runs the worker); its host-side shell then exits 137 and
   * `qrsh` with it. A worker on another host cannot be signalled: `qrsh` passes no signal
   * but SIGKILL of the whole task, which SGE counts as a failed task and answers by ending
   * the whole job, and a second task to run `kill` there needs a slot the job does not
   * have. If it is still running `detachAfterMs` later (busy in a long synchronous call),
   * its channel is reported closed and `qrsh` is left to end when the worker reads its
   * closed input, or with the job. Synchronous.
   */
  kill(): void {
    if (this.#exited) return;
    this.#killed = true;
    this.#child.stdin?.destroy();
    if (this.#killLocal()) return;
    this.#detach ??= setTimeout(() => this.#giveUp(), this.#options.detachAfterMs).unref();
  }

  /** SIGKILLs the worker when it runs here and its pid is known; whether it did. */
  #killLocal(): boolean {
    const pid = this.pid;
    if (!this.local || pid === undefined) return false;
    const command = commandLineOf(pid);
    if (command === undefined) return true;
    if (!command.includes(this.#options.workerEntry)) return false;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
    return true;
  }

  #giveUp(): void {
    if (this.#exited) return;
    const { host, slot } = this.#options;
    // qrsh keeps running until the worker reads its closed input; its output is drained
    // (a closed pipe would kill qrsh with SIGPIPE, and SGE the job), and it no longer
    // keeps this process alive.
    this.#child.stdout?.resume();
    this.#child.stderr?.resume();
    this.#child.unref();
    (this.#child.stdout as { unref?: () => void } | null)?.unref?.();
    (this.#child.stderr as { unref?: () => void } | null)?.unref?.();
    this.#emitError(
      new SgeJobError({
        host,
        slot,
        message: `the worker on host "${host}" (slot ${slot}, pid ${this.pid ?? 'unknown'}) did not end within ${this.#options.detachAfterMs} ms of being killed; qrsh -inherit cannot signal a task on another host without ending the job, so it was left to end when it next reads its closed input, or with the job`,
      }),
    );
    this.#emitClose(null, null);
  }

  /** A worker that died of signal n makes the host-side shell exit 128 + n: report it as the signal. */
  #how(code: number | null, signal: NodeJS.Signals | null): [number | null, NodeJS.Signals | null] {
    if (signal === null && code !== null && code > 128 && this.pid !== undefined) {
      const name = SIGNAL_NAMES.get(code - 128);
      if (name !== undefined) return [null, name];
    }
    return [code, signal];
  }

  #emitClose(code: number | null, signal: NodeJS.Signals | null): void {
    const listeners = this.#closeListeners.splice(0);
    for (const listener of listeners) listener(code, signal);
  }

  #emitError(error: Error): void {
    for (const listener of this.#errorListeners) listener(error);
  }
}
