import { type ChildProcess, spawn } from 'node:child_process';
import { type ChannelHandlers, LaunchedChannel } from '@hostgrid/core';
import { STEP_LINE } from './srun-command.js';

/** How long a killed step may take to end before its `srun` is killed as well. */
const KILL_FALLBACK_MS = 3_000;

/** What a {@link SrunStep} needs besides the `srun` process. */
export interface SrunStepOptions {
  /** `"srun worker for host "h2" slot 0"`, for messages. */
  readonly what: string;
  readonly host: string;
  readonly slot: number;
  readonly jobId: string;
  /** The `scancel` executable and the environment to run it in. */
  readonly scancel: string;
  readonly env: NodeJS.ProcessEnv;
  readonly maxFrameBytes: number | undefined;
}

/**
 * One worker's job step: the `srun` process, the frame channel over its stdio (a
 * `LaunchedChannel`), and the step id and pid the node-side shell reports on stderr.
 * Until that report has come, nothing reaches the grid's handlers: a step that fails to
 * start rejects `started` instead (with srun's own words), as a failed spawn must.
 */
export class SrunStep {
  /** The channel and its start; `open` hands it to the grid. */
  readonly launched: LaunchedChannel;
  /** `<jobid>.<stepid>`, once the node has reported it. */
  stepId: string | undefined;
  /** The worker's pid on its node, once reported. */
  pid: number | undefined;
  readonly #child: ChildProcess;
  readonly #options: SrunStepOptions;
  #exited = false;
  #fallback: NodeJS.Timeout | undefined;

  constructor(child: ChildProcess, handlers: ChannelHandlers, options: SrunStepOptions) {
    this.#child = child;
    this.#options = options;
    child.once('exit', () => {
      this.#exited = true;
      clearTimeout(this.#fallback);
    });
    this.launched = new LaunchedChannel(child, handlers, {
      what: options.what,
      host: options.host,
      slot: options.slot,
      name: 'srun',
      marker: STEP_LINE,
      onMarker: (match) => {
        this.stepId = `${match[1]}.${match[2]}`;
        this.pid = Number(match[3]);
      },
      kill: () => this.kill(),
      pid: () => this.pid,
      maxFrameBytes: options.maxFrameBytes,
    });
  }

  /** Resolves once `srun` has ended and `closed` was handled (or swallowed, for a failed start). */
  get gone(): Promise<void> {
    return this.launched.gone;
  }

  /**
   * Ends the worker: with its step known, `scancel --signal=KILL <job>.<step>` (the node's
   * slurmstepd kills the task, then `srun` exits by itself, so `closed` means the task is
   * gone); before that, SIGTERM to `srun`, which passes it on to its step. Either way `srun`
   * is killed outright if it has not ended a few seconds later (a node cut off, say).
   * Synchronous: `scancel` is started detached and left to finish, even at process exit.
   */
  kill(): void {
    if (this.#exited) return;
    if (this.stepId !== undefined) {
      try {
        spawn(this.#options.scancel, ['--quiet', '--signal=KILL', this.stepId], { stdio: 'ignore', detached: true, env: this.#options.env })
          .on('error', () => this.#child.kill('SIGKILL'))
          .unref();
      } catch {
        this.#child.kill('SIGKILL');
      }
    } else {
      this.#child.kill('SIGTERM');
    }
    this.#fallback ??= setTimeout(() => {
      if (!this.#exited) this.#child.kill('SIGKILL');
    }, KILL_FALLBACK_MS).unref();
  }
}
