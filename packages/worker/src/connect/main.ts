/**
 * `hostgrid-worker --connect …`: a host agent, or one slot worker an agent started.
 * Loaded only in this mode (it brings in `ws`, which `--fd` and `--stdio` workers do not pay for).
 */
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import type { ConnectCommand } from '../connect-args.js';
import { WorkerExitCode, exitCodeFor } from '../exit-codes.js';
import { watchParent } from '../parent-watch.js';
import { DialError } from './dial.js';
import { runAgent } from './host-agent.js';
import { runSlotWorker } from './slot-worker.js';

const PREFIX = '[hostgrid-worker]';

/** Reads the token: `--token-file`, `--token`, or `HOSTGRID_TOKEN`; removed from the environment so that user code does not see it. */
async function readToken(command: ConnectCommand): Promise<string | { error: string }> {
  const fromEnv = process.env['HOSTGRID_TOKEN'];
  delete process.env['HOSTGRID_TOKEN'];
  if (command.tokenFd !== undefined) {
    try {
      const token = (await readDescriptor(command.tokenFd)).split('\n')[0]!.trim();
      return token === '' ? { error: `no token on descriptor ${command.tokenFd} (--token-fd)` } : token;
    } catch (error) {
      return { error: `cannot read the token from descriptor ${command.tokenFd} (--token-fd): ${(error as Error).message}` };
    }
  }
  if (command.tokenFile !== undefined) {
    try {
      const token = (await readFile(command.tokenFile, 'utf8')).split('\n')[0]!.trim();
      return token === '' ? { error: `the token file ${command.tokenFile} is empty` } : token;
    } catch (error) {
      return { error: `cannot read the token file ${command.tokenFile}: ${(error as Error).message}` };
    }
  }
  const token = command.token ?? fromEnv;
  if (token === undefined || token === '') return { error: 'no token: set HOSTGRID_TOKEN or give --token-file <file>' };
  return token;
}

/** Reads a descriptor (a pipe or socket its parent gave it) to its end, then closes it. */
async function readDescriptor(fd: number): Promise<string> {
  const socket = new Socket({ fd, readable: true, writable: false });
  let text = '';
  try {
    for await (const chunk of socket) {
      text += String(chunk);
      if (text.length > 4096) throw new Error('more than 4096 characters');
    }
  } finally {
    socket.destroy();
  }
  return text;
}

/**
 * Runs the `--connect` command.
 *
 * @returns the process's exit code (see {@link WorkerExitCode}); a slot worker's is its session's
 */
export async function runConnect(command: ConnectCommand, exit: (code: number, flush?: Promise<void>) => void): Promise<void> {
  const token = await readToken(command);
  if (typeof token !== 'string') {
    process.stderr.write(`hostgrid-worker: ${token.error}\n`);
    return exit(WorkerExitCode.Usage);
  }
  let ca: Buffer | undefined;
  if (command.ca !== undefined) {
    try {
      ca = await readFile(command.ca);
    } catch (error) {
      process.stderr.write(`hostgrid-worker: cannot read the CA file ${command.ca}: ${(error as Error).message}\n`);
      return exit(WorkerExitCode.Usage);
    }
  }
  const dial = { url: command.url, token, ...(ca === undefined ? {} : { ca }) };
  if (command.role === 'slot') {
    const parent = process.ppid;
    try {
      const connection = await runSlotWorker(
        { ...dial, claim: { role: 'slot', host: command.host, slot: command.slot, ticket: command.ticket }, slots: 0 },
        { onHello: () => watchParent(parent) },
      );
      const end = await connection.ended;
      const code = exitCodeFor(end);
      if (code !== WorkerExitCode.Ok) process.stderr.write(`${PREFIX} exiting (${end.reason}${end.detail === undefined ? '' : `: ${end.detail}`})\n`);
      return exit(code, connection.flushed);
    } catch (error) {
      if (!(error instanceof DialError)) throw error;
      process.stderr.write(`${PREFIX} slot ${command.slot} of host "${command.host}": ${error.message}\n`);
      return exit(error.fatal ? WorkerExitCode.Refused : WorkerExitCode.Unreachable);
    }
  }
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const code = await runAgent(
    {
      ...dial,
      host: command.host,
      slots: command.slots,
      retryForMs: command.retryForSec * 1000,
      // Its slot workers run in their temp paths: they get the CA file by absolute path.
      ...(command.ca === undefined ? {} : { caFile: resolve(command.ca) }),
      log: (line) => process.stderr.write(`${PREFIX} agent "${command.host}": ${line}\n`),
    },
    stop.signal,
  );
  return exit(code);
}
