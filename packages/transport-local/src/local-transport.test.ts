import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Channel, ChannelClosedInfo, ChannelHandlers, ResolvedHost } from '@hostgrid/core';
import { PROTOCOL_VERSION, decode, encode, parseWorkerMessage } from '@hostgrid/protocol';
import { describe, expect, it } from 'vitest';
import { isGone } from '@hostgrid/testbed';
import { localTransport, type LocalTransportOptions } from './local-transport.js';

/** The local transport does not watch links (its hosts cannot vanish silently); requests still carry the timing. */
const HEARTBEAT = { intervalMs: 1000, misses: 10 };
const FAKE_WORKER = fileURLToPath(new URL('./fixtures/fake-worker.mjs', import.meta.url));
/** The bundled worker runtime, reached through core's dependency on it (turbo builds it before these tests). */
const REAL_WORKER = createRequire(import.meta.url).resolve('@hostgrid/worker/bundle');

/** Records every handler call of one channel, and lets a test wait for a state. */
class Recorder implements ChannelHandlers {
  readonly frames: Buffer[] = [];
  stdout = '';
  stderr = '';
  readonly closedCalls: ChannelClosedInfo[] = [];
  framesAfterClosed = 0;
  #waiters: Array<() => void> = [];

  frame(frame: Uint8Array): void {
    if (this.closedCalls.length > 0) this.framesAfterClosed++;
    this.frames.push(Buffer.from(frame));
    this.#wake();
  }

  output(stream: 'stdout' | 'stderr', text: string): void {
    this[stream] += text;
    this.#wake();
  }

  closed(info: ChannelClosedInfo): void {
    this.closedCalls.push(info);
    this.#wake();
  }

  /** Resolves once `condition` holds; rejects if the channel closes first. */
  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) resolve();
        else if (this.closedCalls.length > 0) {
          reject(new Error(`channel closed first (${this.closedCalls[0]?.reason}); stderr: ${this.stderr}`));
        } else return;
        this.#waiters = this.#waiters.filter((w) => w !== check);
      };
      this.#waiters.push(check);
      check();
    });
  }

  /** The info the channel closed with, once it has. */
  async closedInfo(): Promise<ChannelClosedInfo> {
    await this.until(() => this.closedCalls.length > 0);
    return this.closedCalls[0]!;
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** A transport plus whatever a test made on the side; disposing it leaves no process and no file. */
class Bed implements AsyncDisposable {
  readonly transport;
  readonly #strays: number[] = [];
  readonly #dirs: string[] = [];

  constructor(options?: LocalTransportOptions) {
    this.transport = localTransport(options);
  }

  async start(
    host: Partial<ResolvedHost> = {},
    { workerEntry = FAKE_WORKER, signal = new AbortController().signal } = {},
  ): Promise<{ channel: Channel; rec: Recorder }> {
    const rec = new Recorder();
    const tempPath = host.tempPath ?? (await this.tempDir());
    const channel = await this.transport.spawn({ host: localHost({ ...host, tempPath }), slot: 0, workerEntry, tempPath, signal, heartbeat: HEARTBEAT }, rec);
    return { channel, rec };
  }

  async tempDir(): Promise<string> {
    const dir = await realpath(await mkdtemp(join(tmpdir(), 'hostgrid-transport-local-')));
    this.#dirs.push(dir);
    return dir;
  }

  /** A process the test started outside the transport, to be killed at the end. */
  stray(pid: number): void {
    this.#strays.push(pid);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.transport.close();
    for (const pid of this.#strays) if (!isGone(pid)) process.kill(pid, 'SIGKILL');
    for (const dir of this.#dirs) await rm(dir, { recursive: true, force: true });
  }
}

/** A worker whose initCmd leaves a `sleep` running in the background (killed at the end, if need be). */
async function startWithBackgroundProcess(bed: Bed): Promise<{ channel: Channel; rec: Recorder; background: number }> {
  const tempPath = await bed.tempDir();
  const { channel, rec } = await bed.start({ tempPath, initCmd: 'sleep 600 & echo $! > background.pid', env: { FAKE_WORKER_MODE: 'info' } });
  await rec.until(() => rec.frames.length === 1);
  const background = Number(await readFile(join(tempPath, 'background.pid'), 'utf8'));
  bed.stray(background);
  return { channel, rec, background };
}

function localHost(spec: Partial<ResolvedHost> = {}): ResolvedHost {
  return { name: 'local', slots: 1, niceness: 0, env: {}, ...spec };
}


/** Fields of /proc/<pid>/task/<task>/stat from field 3 on: [16] is field 19, the niceness. */
async function procStat(pid: number, task: string): Promise<string[]> {
  const text = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function frames(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`frame ${i} `.repeat(1 + (i % 7))));
}

describe('localTransport', () => {
  it('carries many frames sent in one tick both ways, in order', async () => {
    await using bed = new Bed();
    const { channel, rec } = await bed.start();
    const sent = frames(1000);
    for (const frame of sent) channel.send(frame);
    await rec.until(() => rec.frames.length === sent.length);
    expect(rec.frames).toEqual(sent);
  });

  it('carries a frame of several MiB between small ones', async () => {
    await using bed = new Bed();
    const { channel, rec } = await bed.start();
    const sent = [Buffer.from('before'), randomBytes(8 * 1024 * 1024), Buffer.from('after')];
    for (const frame of sent) channel.send(frame);
    await rec.until(() => rec.frames.length === 3);
    expect(rec.frames[0]).toEqual(sent[0]);
    expect(rec.frames[1]!.equals(sent[1]!)).toBe(true);
    expect(rec.frames[2]).toEqual(sent[2]);
  });

  it("hands the worker's stdout and stderr to handlers.output as text", async () => {
    await using bed = new Bed();
    const { rec } = await bed.start({ env: { FAKE_WORKER_MODE: 'output' } });
    await rec.until(() => rec.stdout.includes('\n') && rec.stderr.includes('\n'));
    expect(rec.stdout).toBe('to stdout: grüße\n');
    expect(rec.stderr).toBe('to stderr\n');
  });

  it('delivers every frame the worker sent before it exited, and none after closed', async () => {
    await using bed = new Bed();
    const { rec } = await bed.start({ env: { FAKE_WORKER_MODE: 'burst-then-exit' } });
    const info = await rec.closedInfo();
    expect(info).toEqual({ reason: 'exited with code 0', code: 0, signal: null });
    expect(rec.frames.map(String)).toEqual(Array.from({ length: 100 }, (_, i) => `frame ${i}`));
    expect(rec.framesAfterClosed).toBe(0);
  });

  it('reports the exit code of a worker that exits by itself', async () => {
    await using bed = new Bed();
    const { rec } = await bed.start({ env: { FAKE_WORKER_MODE: 'exit', FAKE_WORKER_EXIT_CODE: '3' } });
    expect(await rec.closedInfo()).toEqual({ reason: 'exited with code 3', code: 3, signal: null });
  });

  it('reports closed once, with signal SIGKILL, when the worker is killed from outside', async () => {
    await using bed = new Bed();
    const { channel, rec } = await bed.start();
    process.kill(channel.pid!, 'SIGKILL');
    expect(await rec.closedInfo()).toEqual({ reason: 'killed by SIGKILL', code: null, signal: 'SIGKILL' });
    channel.send(Buffer.from('dropped, not thrown'));
    await channel.close(1000);
    expect(rec.closedCalls).toHaveLength(1);
  });

  it('kill() kills the worker at once', async () => {
    await using bed = new Bed();
    const { channel, rec } = await bed.start({ env: { FAKE_WORKER_MODE: 'linger' } });
    channel.kill();
    expect(await rec.closedInfo()).toMatchObject({ signal: 'SIGKILL' });
    expect(isGone(channel.pid!)).toBe(true);
  });

  it('close(grace) ends fd 3 and lets the worker exit by itself', async () => {
    await using bed = new Bed();
    const { channel, rec } = await bed.start();
    await channel.close(60_000);
    expect(rec.closedCalls).toEqual([{ reason: 'exited with code 0', code: 0, signal: null }]);
  });

  it('close(grace) kills a worker that ignores EOF once the grace is over, and is idempotent', async () => {
    await using bed = new Bed();
    const { channel, rec } = await bed.start({ env: { FAKE_WORKER_MODE: 'linger' } });
    const first = channel.close(200);
    const second = channel.close(200);
    await Promise.all([first, second]);
    expect(rec.closedCalls).toEqual([{ reason: 'killed by SIGKILL', code: null, signal: 'SIGKILL' }]);
    await channel.close(200);
    expect(rec.closedCalls).toHaveLength(1);
  });

  it('kills a worker that sends an oversized frame and reports the framing error', async () => {
    await using bed = new Bed({ maxFrameBytes: 1024 });
    const { rec } = await bed.start({ env: { FAKE_WORKER_MODE: 'oversized-frame' } });
    const info = await rec.closedInfo();
    expect(info).toMatchObject({ signal: 'SIGKILL', error: { name: 'InvalidMessageError' } });
    expect(info.reason).toBe('killed by SIGKILL after an error on its channel: frame of 2000 bytes exceeds the limit of 1024');
    expect(rec.frames).toEqual([]);
  });

  it('rejects spawn naming host, slot and executable when node does not exist, calling no handler', async () => {
    await using bed = new Bed();
    const rec = new Recorder();
    const request = { host: localHost({ node: '/nonexistent/node' }), slot: 2, workerEntry: FAKE_WORKER, tempPath: tmpdir(), signal: new AbortController().signal, heartbeat: HEARTBEAT };
    await expect(bed.transport.spawn(request, rec)).rejects.toThrow(
      '[hostgrid] local worker for host "local" slot 2 could not start: spawn /nonexistent/node ENOENT',
    );
    expect(rec.closedCalls).toEqual([]);
    expect(rec.stdout + rec.stderr).toBe('');
  });

  it('passes host.env to the worker and runs it in the temp path', async () => {
    await using bed = new Bed();
    const tempPath = await bed.tempDir();
    const { rec } = await bed.start({ tempPath, env: { FAKE_WORKER_MODE: 'info', HOSTGRID_TEST_VALUE: 'from host.env' } });
    await rec.until(() => rec.frames.length === 1);
    expect(JSON.parse(String(rec.frames[0]))).toMatchObject({ cwd: tempPath, testValue: 'from host.env' });
  });

  it('starts every thread of the worker at host.niceness', async () => {
    await using bed = new Bed();
    const { channel, rec } = await bed.start({ niceness: 7, env: { FAKE_WORKER_MODE: 'info' } });
    await rec.until(() => rec.frames.length === 1);
    expect(getPriority(channel.pid!)).toBe(7);
    const tasks = await readdir(`/proc/${channel.pid!}/task`);
    const nice = await Promise.all(tasks.map(async (task) => (await procStat(channel.pid!, task))[16]));
    expect(new Set(nice)).toEqual(new Set(['7']));
  });

  it('runs initCmd first in the same shell, then the worker in its place with fd 3 intact', async () => {
    await using bed = new Bed();
    const tempPath = await bed.tempDir();
    const initCmd = 'echo ran > init-marker && export HOSTGRID_INIT_VALUE=exported';
    const { channel, rec } = await bed.start({ tempPath, initCmd, env: { FAKE_WORKER_MODE: 'info' } });
    await rec.until(() => rec.frames.length === 1);
    expect(JSON.parse(String(rec.frames[0]))).toEqual({
      pid: channel.pid,
      cwd: tempPath,
      testValue: null,
      initValue: 'exported',
      marker: true,
    });
    channel.send(Buffer.from('still talking'));
    await rec.until(() => rec.frames.length === 2);
    expect(String(rec.frames[1])).toBe('still talking');
  });

  it('reports a failing initCmd as the exit of the started worker', async () => {
    await using bed = new Bed();
    const { rec } = await bed.start({ initCmd: 'echo init failed >&2; exit 5' });
    expect(await rec.closedInfo()).toEqual({ reason: 'exited with code 5', code: 5, signal: null });
    expect(rec.stderr).toBe('init failed\n');
  });

  it('reports a node the initCmd shell cannot find as exit code 127', async () => {
    await using bed = new Bed();
    const { rec } = await bed.start({ initCmd: 'true', node: '/nonexistent/node' });
    expect(await rec.closedInfo()).toEqual({ reason: 'exited with code 127', code: 127, signal: null });
    expect(rec.stderr).toContain('/nonexistent/node');
  });

  it('reports closed even while a background process of initCmd holds the streams open', async () => {
    await using bed = new Bed();
    const { channel, rec, background } = await startWithBackgroundProcess(bed);
    await channel.close(60_000);
    expect(rec.closedCalls).toEqual([{ reason: 'exited with code 0', code: 0, signal: null }]);
    expect(isGone(background)).toBe(false);
  });

  it('kill() also kills what initCmd left running in the worker\'s process group', async () => {
    await using bed = new Bed();
    const { channel, rec, background } = await startWithBackgroundProcess(bed);
    channel.kill();
    await rec.closedInfo();
    // SIGKILL reaches the whole group at once, but each member dies on its own schedule.
    while (!isGone(background)) await sleep(10);
  });

  it('rejects with the abort reason, calling no handler, when the start is aborted', async () => {
    await using bed = new Bed();
    const controller = new AbortController();
    const reason = new Error('terminated during start');
    const rec = new Recorder();
    const started = bed.transport.spawn({ host: localHost(), slot: 0, workerEntry: FAKE_WORKER, tempPath: tmpdir(), signal: controller.signal, heartbeat: HEARTBEAT }, rec);
    // The process exists by now (spawn is synchronous up to the child's creation), but has not reported 'spawn'.
    controller.abort(reason);
    await expect(started).rejects.toBe(reason);
    await expect(bed.start({}, { signal: controller.signal })).rejects.toBe(reason);
    expect(rec.closedCalls).toEqual([]);
  });

  it('close() kills every worker still running and refuses new ones', async () => {
    await using bed = new Bed();
    const started = await Promise.all([1, 2, 3].map(() => bed.start({ env: { FAKE_WORKER_MODE: 'linger' } })));
    await bed.transport.close();
    for (const { channel, rec } of started) {
      expect(() => process.kill(channel.pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      expect(rec.closedCalls).toEqual([{ reason: 'killed by SIGKILL', code: null, signal: 'SIGKILL' }]);
    }
    await expect(bed.start()).rejects.toThrow('[hostgrid] local worker for host "local" slot 0 could not start: the local transport is closed');
  });

  it('talks to the real hostgrid-worker: hello is answered by ready, EOF ends it', async () => {
    await using bed = new Bed();
    const { channel, rec } = await bed.start({}, { workerEntry: REAL_WORKER });
    channel.send(encode({ type: 'hello', version: PROTOCOL_VERSION, host: 'local', slot: 0, heartbeatMs: 1000, watchdogMs: 0, maxFrameBytes: channel.maxFrameBytes }));
    await rec.until(() => rec.frames.length > 0);
    expect(parseWorkerMessage(decode(rec.frames[0]!))).toMatchObject({ type: 'ready', version: PROTOCOL_VERSION, pid: channel.pid });
    await channel.close(60_000);
    expect(rec.closedCalls).toEqual([{ reason: 'exited with code 0', code: 0, signal: null }]);
  });
});
