import { type ChildProcess, spawn } from 'node:child_process';
import { type Channel, type ChannelClosedInfo, type ChannelHandlers, HostgridError, streamChannel } from '@hostgrid/core';
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
 * One worker's job step: the `srun` process, the frame channel over its stdio
 * (`streamChannel`), and the step id and pid the node-side shell reports on stderr.
 * Until that report has come, nothing reaches the grid's handlers: a step that fails to
 * start rejects `started` instead (with srun's own words), as a failed spawn must.
 */
export class SrunStep {
  readonly channel: Channel;
  /** `<jobid>.<stepid>`, once the node has reported it. */
  stepId: string | undefined;
  /** The worker's pid on its node, once reported. */
  pid: number | undefined;
  readonly #child: ChildProcess;
  readonly #options: SrunStepOptions;
  readonly #handlers: ChannelHandlers;
  /** Output held until the grid has the channel; `undefined` once it has. */
  #held: Array<['stdout' | 'stderr', string]> | undefined = [];
  /** stderr read before the step's report: searched for it, line by line. */
  #stderrBefore = '';
  #exited = false;
  #fallback: NodeJS.Timeout | undefined;
  #settle!: { resolve: () => void; reject: (error: Error) => void };
  /** Resolves once the step is running on its node; rejects if `srun` ends before. */
  readonly started: Promise<void>;
  /** Resolves once `srun` has ended and `closed` was handled (or swallowed, for a failed start). */
  readonly gone: Promise<void>;
  #markGone!: () => void;

  constructor(child: ChildProcess, handlers: ChannelHandlers, options: SrunStepOptions) {
    this.#child = child;
    this.#handlers = handlers;
    this.#options = options;
    this.started = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    this.started.catch(() => undefined);
    this.gone = new Promise((resolve) => (this.#markGone = resolve));
    child.once('exit', () => {
      this.#exited = true;
      clearTimeout(this.#fallback);
    });
    this.channel = streamChannel(
      child,
      {
        frame: (frame) => handlers.frame(frame),
        output: (stream, text) => this.#output(stream, text),
        closed: (info) => this.#closed(info),
      },
      {
        name: 'srun',
        kill: () => this.kill(),
        pid: () => this.pid,
        ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
      },
    );
  }

  /** The grid now holds the channel: output held so far goes to it, and from now on straight through. */
  deliver(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const [stream, text] of held) this.#handlers.output(stream, text);
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

  #output(stream: 'stdout' | 'stderr', text: string): void {
    if (stream === 'stderr' && this.stepId === undefined) {
      this.#stderrBefore += text;
      const match = STEP_LINE.exec(this.#stderrBefore);
      if (match === null) return;
      this.stepId = `${match[1]}.${match[2]}`;
      this.pid = Number(match[3]);
      const rest = this.#stderrBefore.replace(STEP_LINE, '');
      this.#stderrBefore = '';
      if (rest !== '') this.#pass('stderr', rest);
      this.#settle.resolve();
      return;
    }
    this.#pass(stream, text);
  }

  #pass(stream: 'stdout' | 'stderr', text: string): void {
    if (this.#held === undefined) this.#handlers.output(stream, text);
    else this.#held.push([stream, text]);
  }

  #closed(info: ChannelClosedInfo): void {
    try {
      if (this.stepId === undefined) {
        // Never started: the grid hears of it through spawn's rejection, with srun's words.
        const said = [this.#stderrBefore, ...(this.#held ?? []).map(([, text]) => text)].join('').trim();
        const { what, host, slot } = this.#options;
        this.#settle.reject(new HostgridError({ host, slot, message: `${what} could not start: ${info.reason}${said === '' ? '' : `: ${said}`}`, ...(info.error === undefined ? {} : { cause: info.error }) }));
        return;
      }
      this.deliver();
      this.#handlers.closed(info);
    } finally {
      this.#markGone();
    }
  }
}
