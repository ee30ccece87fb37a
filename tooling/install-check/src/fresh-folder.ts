/**
 * What the registry tests share: a fresh folder outside the monorepo (so that nothing
 * resolves from the workspace), and a command run in it that fails with its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The monorepo's root. */
export const REPO_ROOT = realpathSync(new URL('../../..', import.meta.url));

/** A fresh folder under the system's temp folder; `await using` removes it. */
export interface FreshFolder extends Disposable {
  readonly path: string;
}

/** Makes a fresh folder, with the fixture app `app` (a folder of `src/fixtures`) copied in when given. */
export function freshFolder(app?: string): FreshFolder {
  const path = mkdtempSync(join(tmpdir(), 'hostgrid-user-'));
  if (path.startsWith(REPO_ROOT)) throw new Error(`a fresh folder must be outside the monorepo, got ${path}`);
  if (app !== undefined) cpSync(new URL(`./fixtures/${app}`, import.meta.url), path, { recursive: true });
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** What a finished command printed. */
export interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file` with `args` in `cwd` with `env`, logs how long it took, and resolves with its output; rejects, with
 * that output in the message, when it exits non-zero or runs past `timeoutMs`. It runs in a
 * process group of its own, killed whole on a time-out: npm and npx start the programs they
 * run as children, which a kill of npm alone would leave running.
 */
export function runIn(cwd: string, env: NodeJS.ProcessEnv, file: string, args: readonly string[], timeoutMs = 180_000): Promise<Output> {
  const began = performance.now();
  const running = start(cwd, env, file, args);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    running.signal('SIGKILL');
  }, timeoutMs);
  return running.exited.then((code) => {
    clearTimeout(timer);
    const ok = code === 0 && !timedOut;
    // For the run's log (what a user waits for), never asserted.
    console.log(`[install-check] ${ok ? 'ok  ' : 'FAIL'} ${((performance.now() - began) / 1000).toFixed(1)} s  ${file} ${args.join(' ')}`);
    const { stdout, stderr } = running.streams();
    if (ok) return { stdout, stderr };
    const why = timedOut ? `killed after ${timeoutMs} ms` : `exit code ${code}`;
    throw new Error(`\`${file} ${args.join(' ')}\` in ${cwd} failed (${why}):\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  });
}

/** A long-running child whose stdout is collected; `await using` kills it. */
export interface Running extends AsyncDisposable {
  readonly child: ChildProcess;
  /** Everything it printed so far, both streams. */
  output(): string;
  /** What it printed so far, stream by stream. */
  streams(): Output;
  /** Resolves with the first stdout line that parses as JSON with `key`. */
  line<T>(key: string, timeoutMs: number): Promise<T>;
  /** Resolves with its exit code once it and everything it started have closed its output. */
  readonly exited: Promise<number | null>;
  /** Sends `signal` to its whole process group (npx runs the package's bin as a child of its own). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts `file` with `args` in `cwd`, in a process group of its own, collecting its output. */
export function start(cwd: string, env: NodeJS.ProcessEnv, file: string, args: readonly string[]): Running {
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // ESRCH: the whole group is gone already.
    }
  };
  let stdout = '';
  let stderr = '';
  let all = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    all += text;
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    all += text;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    exited,
    signal: signalGroup,
    output: () => all,
    streams: () => ({ stdout, stderr }),
    async line<T>(key: string, timeoutMs: number): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const text of stdout.split('\n')) {
          if (!text.startsWith('{')) continue;
          const parsed = JSON.parse(text) as Record<string, unknown>;
          if (key in parsed) return parsed as T;
        }
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no {"${key}": …} line from ${file} ${args.join(' ')}:\n${all}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async [Symbol.asyncDispose]() {
      // The group, not the child alone: an orphaned grandchild would hold the pipes open.
      signalGroup('SIGKILL');
      await exited;
    },
  };
}

/** `promise`, or a rejection naming `what` after `ms`: a wait in a test that cannot hang it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up waiting for ${what} after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
