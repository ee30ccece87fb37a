import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { AgentReport, StartMessage } from '@hostgrid/protocol';
import type { AgentFiles } from './agent-files.js';

/** How an agent's slot workers dial in: the agent's own controller URL, CA file and token. */
export interface SlotLaunch {
  readonly url: string;
  readonly host: string;
  readonly token: string;
  /** The `--ca` file the agent was given, passed on. */
  readonly caFile?: string;
}

/**
 * How long a slot's output streams may stay open after it exited (a background process
 * from `initCmd` may hold them) before its exit is reported anyway.
 */
const STREAM_DRAIN_MS = 1000;

/**
 * The slot workers a host agent runs: one process per slot, started when the controller
 * asks (`node <workerEntry> --connect <url> --host <h> --slot <i> --ticket <t>` in the
 * temp path, after `initCmd`, at the host's niceness, in its own process group), its
 * output and its exit reported to the controller. The token reaches the worker through
 * descriptor 3 (`--token-fd 3`, a pipe it reads to the end), never through its environment
 * block or its command line; `initCmd` does not get that descriptor. The ticket on the
 * command line is good for one join only.
 */
export class SlotProcesses {
  readonly #launch: SlotLaunch;
  readonly #report: (report: AgentReport) => void;
  readonly #running = new Map<number, { child: ChildProcess; gone: Promise<void> }>();

  constructor(launch: SlotLaunch, report: (report: AgentReport) => void) {
    this.#launch = launch;
    this.#report = report;
  }

  /**
   * Starts a slot's worker (killing one still running in that slot first).
   *
   * @returns its pid
   * @throws when a path is refused or the process cannot start
   */
  async start(request: StartMessage, files: AgentFiles): Promise<{ pid: number }> {
    const cwd = await files.confine(request.tempPath, true);
    const entry = await files.confine(request.workerEntry, false);
    await this.kill(request.slot);
    const node = request.node === '' ? process.execPath : request.node;
    const { url, host, token, caFile } = this.#launch;
    // The token goes through descriptor 3 (read to its end, then closed): an environment
    // variable would stay in the worker's environment block (/proc/<pid>/environ), which
    // its user code can read even after the worker deleted it from process.env.
    const args = [entry, '--connect', url, '--host', host, '--slot', String(request.slot), '--ticket', request.ticket, '--token-fd', '3', ...(caFile === undefined ? [] : ['--ca', caFile])];
    // initCmd runs in a shell that then becomes the worker (`exec`): same pid, same parent; it does not get descriptor 3.
    const [file, argv] = request.initCmd === '' ? [node, args] : ['/bin/sh', ['-c', `{\n${request.initCmd}\n} 3<&-\nexec "$0" "$@"`, node, ...args]];
    const env: NodeJS.ProcessEnv = { ...process.env, ...request.env };
    delete env['HOSTGRID_TOKEN'];
    const child = spawn(file, argv, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const tokenPipe = child.stdio[3] as import('node:stream').Writable | null;
    tokenPipe?.on('error', () => undefined);
    tokenPipe?.end(`${token}\n`);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new Error(`cannot start ${file} for slot ${request.slot}: ${error.message}`, { cause: error })));
    });
    const pid = child.pid!;
    if (request.niceness > 0) {
      try {
        setPriority(pid, request.niceness);
      } catch {
        // The worker may already be gone; its exit is reported.
      }
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.setEncoding('utf8').on('data', (text: string) => this.#report({ type: 'output', slot: request.slot, stream, text }));
    }
    const gone = new Promise<void>((resolve) => {
      let drain: NodeJS.Timeout | undefined;
      child.once('exit', () => {
        drain = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, STREAM_DRAIN_MS).unref();
      });
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(drain);
        if (this.#running.get(request.slot)?.child === child) this.#running.delete(request.slot);
        this.#report({ type: 'exited', slot: request.slot, pid, code, signal });
        resolve();
      });
    });
    this.#running.set(request.slot, { child, gone });
    return { pid };
  }

  /** SIGKILLs a slot's worker (only if its pid is `pid`, unless that is 0) and its process group; resolves once it is gone. */
  async kill(slot: number, pid = 0): Promise<void> {
    const running = this.#running.get(slot);
    if (running === undefined || (pid !== 0 && running.child.pid !== pid)) return;
    killGroup(running.child);
    await running.gone;
  }

  /** SIGKILLs every slot's worker; resolves once all are gone. */
  async killAll(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((slot) => this.kill(slot)));
  }

  /** Kills every slot's worker now, synchronously (the agent is exiting). */
  killAllSync(): void {
    for (const { child } of this.#running.values()) killGroup(child);
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
