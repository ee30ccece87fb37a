import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
// The suite runs from the built package: its fixtures are compiled modules.
import { describeTransportConformance } from '@hostgrid/core/testing/conformance';
import { HostgridError } from './errors.js';
import { LaunchedChannel, type LaunchedChannelOptions } from './launched-channel.js';
import { localHostFiles } from './local-files.js';
import type { ChannelClosedInfo, SpawnRequest, Transport } from './transport.js';

/** The marker the stand-in launchers print on stderr: `launched-pid:<pid>`. */
const MARKER = /launched-pid:(\d+)\n/;

/**
 * A launcher in miniature, as srun and qrsh start a worker: `sh -c` prints a banner on
 * stdout and its pid on stderr, then `exec`s node (so the printed pid is the worker's).
 */
function launchedTransport(maxFrameBytes?: number): Transport {
  const live = new Set<LaunchedChannel>();
  return {
    name: 'launched',
    spawn: async (request: SpawnRequest, handlers) => {
      const script = `echo "a login banner"; echo "launched-pid:$$" >&2; exec "$0" "$1" --stdio`;
      const child = spawn('sh', ['-c', script, process.execPath, request.workerEntry], { cwd: request.tempPath, stdio: 'pipe' });
      let pid: number | undefined;
      const launched = new LaunchedChannel(child, handlers, {
        what: `sh worker for host "${request.host.name}" slot ${request.slot}`,
        host: request.host.name,
        slot: request.slot,
        name: 'sh',
        marker: MARKER,
        onMarker: (match) => (pid = Number(match[1])),
        kill: () => child.kill('SIGKILL'),
        pid: () => pid,
        maxFrameBytes,
      });
      live.add(launched);
      void launched.gone.then(() => live.delete(launched));
      return launched.open(request.signal);
    },
    files: (host) => localHostFiles(host.name),
    close: async () => {
      for (const launched of live) launched.channel.kill();
      await Promise.all([...live].map((launched) => launched.gone));
    },
  };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describeTransportConformance('launched channel', {
  transport: (limits) => launchedTransport(limits?.maxFrameBytes),
  hosts: [{ name: 'a', slots: 2 }, { name: 'b', slots: 1 }],
  lateHost: { name: 'late', slots: 2 },
  killWorker: (server) => {
    process.kill(server.pid, 'SIGKILL');
  },
  isRunning: (server) => alive(server.pid),
});

describe('LaunchedChannel', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  /** Launches `sh -c script` and collects what reaches the grid's handlers. */
  function launch(script: string, options: Partial<LaunchedChannelOptions> = {}, file = 'sh') {
    const child = spawn(file, ['-c', script], { stdio: 'pipe' });
    children.push(child);
    const output: string[] = [];
    const closed: ChannelClosedInfo[] = [];
    const matches: string[] = [];
    const launched = new LaunchedChannel(
      child,
      { frame: () => undefined, output: (stream, text) => output.push(`${stream}:${text}`), closed: (info) => closed.push(info) },
      {
        what: 'sh worker for host "a" slot 1',
        host: 'a',
        slot: 1,
        name: 'sh',
        marker: MARKER,
        onMarker: (match) => matches.push(match[1]!),
        kill: () => child.kill('SIGKILL'),
        pid: () => undefined,
        ...options,
      },
    );
    return { child, launched, output, closed, matches };
  }

  it('holds output until open() delivers it, takes the marker out, and reports closed once after it', async () => {
    // The marker and "after" leave in one write, so "after" is surely held when started resolves.
    const { launched, output, closed, matches } = launch(`echo before; printf 'launched-pid:42\\nafter\\n' >&2; read -r line; echo bye`);
    await launched.started;
    expect(matches).toEqual(['42']);
    expect(launched.isStarted).toBe(true);
    expect(output).toEqual([]);
    const channel = await launched.open(new AbortController().signal);
    expect(channel).toBe(launched.channel);
    expect(output).toEqual(['stderr:after\n']);
    await channel.close(10_000);
    await launched.gone;
    expect(closed).toHaveLength(1);
    expect(closed[0]!.code).toBe(0);
    // stdout before the worker's preamble is passed on by streamChannel's scanner, at the latest when the stream ends.
    expect(output.join('')).toContain('stdout:before\n');
    expect(output.join('')).toContain('bye');
    expect(output.join('')).not.toContain('launched-pid');
  });

  it('rejects started, quoting the launcher, and reports no closed when it ends before the marker', async () => {
    const { launched, closed } = launch('echo "no such node" >&2; exit 3');
    const error = await launched.started.then(() => undefined, (reason: unknown) => reason);
    await launched.gone;
    expect(error).toBeInstanceOf(HostgridError);
    expect((error as HostgridError).message).toBe('[hostgrid] sh worker for host "a" slot 1 could not start: sh exited with code 3: no such node');
    expect((error as HostgridError).host).toBe('a');
    expect((error as HostgridError).slot).toBe(1);
    expect(closed).toEqual([]);
    await expect(launched.open(new AbortController().signal)).rejects.toBe(error);
  });

  it('uses startError when it gives an error, and the default when it gives undefined', async () => {
    class RefusedError extends HostgridError {}
    const refused = launch('echo "refused" >&2; exit 1', { startError: (options, said) => (said === 'refused' ? new RefusedError(options) : undefined) });
    await expect(refused.launched.started).rejects.toBeInstanceOf(RefusedError);
    const other = launch('echo "other" >&2; exit 1', { startError: (options, said) => (said === 'refused' ? new RefusedError(options) : undefined) });
    const error = await other.launched.started.then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(HostgridError);
    expect(error).not.toBeInstanceOf(RefusedError);
  });

  it('open() turns a launcher that cannot be run into notFound’s error', async () => {
    const { launched } = launch('', {}, '/nonexistent/hostgrid-launcher');
    const notFound = await launched.open(new AbortController().signal, (error) => new HostgridError({ message: 'install the launcher', cause: error })).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect((notFound as Error).message).toBe('[hostgrid] install the launcher');
    expect(((notFound as Error).cause as Error).message).toContain('ENOENT');
  });

  it('open() kills the launch and rejects with the reason when the signal aborts during the start', async () => {
    const { child, launched, closed } = launch('exec sleep 60');
    const abort = new AbortController();
    const opening = launched.open(abort.signal);
    abort.abort(new Error('given up'));
    await expect(opening).rejects.toThrow('given up');
    await launched.gone;
    expect(child.signalCode).toBe('SIGKILL');
    expect(closed).toEqual([]);
  });

  it('open() kills a launch that started after the signal aborted, and waits for it to end', async () => {
    const { child, launched, closed } = launch('echo "launched-pid:7" >&2; exec sleep 60');
    await launched.started;
    const abort = new AbortController();
    abort.abort(new Error('too late'));
    await expect(launched.open(abort.signal)).rejects.toThrow('too late');
    expect(child.signalCode).toBe('SIGKILL');
    // Started, so the channel reported its end (to the handlers the grid never got).
    expect(closed).toHaveLength(1);
  });
});
