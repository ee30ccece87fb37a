/**
 * The `hostgrid-worker` process: one worker slot, talking to its controller over an
 * inherited socket (`--fd <n>`) or over stdin/stdout (`--stdio`); or, with `--connect`,
 * a host agent that dials in to a controller over WebSocket (and the slot workers it starts). Bundled into one
 * dependency-free file, `dist/hostgrid-worker.js`, so that staging it is one copy.
 * Imports are kept to what a worker needs: Node's start-up time is paid by every slot.
 */
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { USAGE, parseCliArgs } from './cli-args.js';
import { WorkerExitCode, exitCodeFor } from './exit-codes.js';
import { watchParent } from './parent-watch.js';
import { STREAM_PREAMBLE, markWorkerProcess } from '@hostgrid/protocol';
import { runStreamChannel } from './stream-channel.js';

/** How long a finished session may take to hand its last frames to the OS before the process exits anyway. */
const FLUSH_GRACE_MS = 2000;

const PREFIX = '[hostgrid-worker]';

function main(): void {
  // Before any user module is imported: a service module that starts a grid of its own
  // finds the mark and refuses, instead of every worker starting workers (see Grid.start).
  markWorkerProcess();
  const command = parseCliArgs(process.argv.slice(2));
  switch (command.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return;
    case 'error':
      process.stderr.write(`hostgrid-worker: ${command.message} (see hostgrid-worker --help)\n`);
      process.exitCode = WorkerExitCode.Usage;
      return;
    case 'fd': {
      let socket: Socket;
      try {
        // allowHalfOpen: the session, not the socket, decides when our side ends, so that its last frames go out.
        socket = new Socket({ fd: command.fd, readable: true, writable: true, allowHalfOpen: true });
      } catch (error) {
        process.stderr.write(`hostgrid-worker: cannot open file descriptor ${command.fd}: ${(error as Error).message}\n`);
        process.exitCode = WorkerExitCode.Usage;
        return;
      }
      installCrashHandlers();
      void serve(socket, socket);
      return;
    }
    case 'stdio': {
      installCrashHandlers();
      // A login shell or an init command may have written to this stdout before us: the
      // preamble tells the reader where the frames begin.
      process.stdout.write(STREAM_PREAMBLE);
      void serve(process.stdin, process.stdout);
      // Frames own stdout now: user output (console.log included) goes to stderr instead of corrupting them.
      process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
      return;
    }
    case 'connect': {
      installCrashHandlers();
      // Loaded only here: `ws` costs start-up time that --fd and --stdio workers must not pay.
      void import('./connect/main.js').then((connect) => connect.runConnect(command, finish));
      return;
    }
    default:
      command satisfies never;
  }
}

/** The parent when this process started: the controller, or the sshd session serving it. */
const PARENT = process.ppid;

async function serve(input: Readable, output: Writable): Promise<void> {
  const channel = runStreamChannel(input, output, { onHello: () => watchParent(PARENT) });
  const end = await channel.ended;
  const code = exitCodeFor(end);
  if (code !== WorkerExitCode.Ok) {
    process.stderr.write(`${PREFIX} exiting (${end.reason}${end.detail === undefined ? '' : `: ${end.detail}`})\n`);
  }
  setTimeout(() => process.exit(code), FLUSH_GRACE_MS);
  await channel.flushed;
  process.exit(code);
}

/** Exits with `code`, after `flushed` (at most {@link FLUSH_GRACE_MS}). */
function finish(code: number, flushed?: Promise<void>): void {
  if (flushed === undefined) process.exit(code);
  setTimeout(() => process.exit(code), FLUSH_GRACE_MS);
  void flushed.then(() => process.exit(code));
}

function installCrashHandlers(): void {
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${PREFIX} uncaught exception, exiting (the worker's state may be corrupt): ${describe(error)}\n`);
    process.exit(WorkerExitCode.UncaughtException);
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`${PREFIX} warning: unhandled promise rejection (the worker keeps running): ${describe(reason)}\n`);
  });
}

function describe(thrown: unknown): string {
  try {
    return thrown instanceof Error ? (thrown.stack ?? `${thrown.name}: ${thrown.message}`) : String(thrown);
  } catch {
    return Object.prototype.toString.call(thrown);
  }
}

main();
