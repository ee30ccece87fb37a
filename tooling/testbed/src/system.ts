/**
 * Small helpers over the machine: run a command, find the processes of a network
 * namespace through /proc, probe a TCP port, tell a live process from a gone one.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestbedError } from './errors.js';

/** What a finished command left behind. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code, or `null` when the command was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Output kept per stream; more than this is cut from the front. */
const MAX_OUTPUT = 1 << 20;

/** How {@link run} runs a command. */
export interface RunOptions {
  /** Written to its stdin, which is then closed; without it stdin is /dev/null. */
  readonly input?: string;
  /** Killed (SIGKILL) after this long; by default never. */
  readonly timeoutMs?: number;
  /** Its whole environment (nothing inherited); by default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Its working directory; by default this process's. */
  readonly cwd?: string;
}

/** Runs `file` with `args` (no shell) and collects its output. Rejects only when it cannot start. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = (stdout + chunk).slice(-MAX_OUTPUT);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_OUTPUT);
    });
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    timer?.unref();
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

/**
 * Runs a command that must succeed and returns its stdout; the error names what was being
 * done and quotes stderr (or stdout when stderr is empty), cut at 2000 characters.
 *
 * @throws TestbedError when it exits other than with 0.
 */
export async function runOk(what: string, file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new TestbedError(
      `[testbed] ${what} failed: \`${[file, ...args].join(' ')}\` exited with ` +
        `${result.code ?? result.signal}: ${(result.stderr.trim() || result.stdout.trim()).slice(0, 2000)}`,
    );
  }
  return result.stdout;
}

/** Whether a network interface of this name exists in the root namespace. */
export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** Names of the network interfaces of the root namespace. */
export function listLinks(): string[] {
  try {
    return readdirSync('/sys/class/net');
  } catch {
    return [];
  }
}

/** Where `ip netns` keeps its named namespaces. */
export const NETNS_DIR = '/run/netns';

/** Names of the namespaces `ip netns` knows. */
export function listNamespaces(): string[] {
  try {
    return readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

/** The inode that identifies a named namespace, or `undefined` when there is none. */
export function namespaceInode(name: string): number | undefined {
  try {
    return statSync(`${NETNS_DIR}/${name}`).ino;
  } catch {
    return undefined;
  }
}

function numericEntries(dir: string): number[] {
  try {
    return readdirSync(dir)
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Processes whose network namespace is the one with this inode (what `ip netns pids`
 * does). Works after the namespace's name was deleted too, which is how stragglers that
 * forked during teardown are still found. Zombies have no namespace and are not listed.
 */
export function pidsInNetns(inode: number): number[] {
  const wanted = `net:[${inode}]`;
  return numericEntries('/proc').filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`) === wanted;
    } catch {
      return false;
    }
  });
}

/** The executable of a process, or `undefined` when it is gone. */
export function processExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** A process's command line as one string (what `ps` shows), or `undefined`. */
export function processCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

/** All process ids on the machine. */
export function allPids(): number[] {
  return numericEntries('/proc');
}

function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time of a process in clock ticks since boot: with the pid, names one process for good. */
export function processStartTime(pid: number | 'self'): number | undefined {
  const field = statFields(pid)?.[19];
  return field === undefined ? undefined : Number(field);
}

/** A process counts as gone once it has exited, even if nobody has reaped it yet. */
export function isGone(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state === undefined || state === 'Z' || state === 'X';
}

/** SIGKILL, ignoring processes that are already gone. */
export function killHard(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: gone already, which is what we wanted.
  }
}

/**
 * Kills every process `list()` returns until it returns none (processes may fork while
 * they are being killed). Returns every pid it killed; throws after `timeoutMs`.
 */
export async function killUntilEmpty(list: () => number[], what: string, timeoutMs = 5_000): Promise<number[]> {
  const killed = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = list();
    if (pids.length === 0) return [...killed];
    if (Date.now() > deadline) {
      throw new TestbedError(`[testbed] processes of ${what} survive SIGKILL after ${timeoutMs} ms: ${pids.join(' ')}`);
    }
    for (const pid of pids) {
      killHard(pid);
      killed.add(pid);
    }
    await sleep(10);
  }
}

/** Synchronous `killUntilEmpty`, bounded by a number of rounds rather than time. */
export function killUntilEmptySync(list: () => number[]): void {
  for (let round = 0; round < 50; round += 1) {
    const pids = list();
    if (pids.length === 0) return;
    for (const pid of pids) killHard(pid);
    // The exit hook cannot sleep asynchronously; Atomics.wait blocks this thread briefly.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

/** Whether a TCP connection to `address:port` opens within `timeoutMs`. */
export function tcpAnswers(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A TCP port nothing listens on now on any address (slurmctld and the SGE daemons listen on every address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new TestbedError('[testbed] no free port'))));
    });
  });
}
