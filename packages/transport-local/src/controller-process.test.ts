import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isGone } from '@hostgrid/testbed';

const CONTROLLER = fileURLToPath(new URL('./fixtures/controller.mjs', import.meta.url));


/** Waits until every pid is gone, for at most `limitMs`; returns those still running. */
async function stillRunning(pids: readonly number[], limitMs: number): Promise<number[]> {
  const deadline = Date.now() + limitMs;
  let left = pids.filter((pid) => !isGone(pid));
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(25);
    left = left.filter((pid) => !isGone(pid));
  }
  return left;
}

/** A controller program and everything it printed; killing it and its workers on dispose. */
class Controller implements AsyncDisposable {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  workerPids: number[] = [];
  #tempPaths: string[] = [];

  /** The grid's temp folders, once started. */
  get tempPaths(): readonly string[] {
    return this.#tempPaths;
  }
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(mode: 'exit' | 'wait' | 'busy' | 'handled') {
    this.child = spawn(process.execPath, [CONTROLLER, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => (this.stdout += text));
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    // 'close', not 'exit': it comes after stdout and stderr were read to their end.
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  /** Waits for the line with the workers' pids. */
  async started(): Promise<number[]> {
    while (!this.stdout.includes('{"pids"')) {
      const result = await Promise.race([sleep(20).then(() => undefined), this.exited]);
      if (result !== undefined && !this.stdout.includes('{"pids"')) throw new Error(`controller exited early: ${JSON.stringify(result)}\n${this.stderr}`);
    }
    const line = this.stdout.split('\n').find((l) => l.startsWith('{"pids"'))!;
    ({ pids: this.workerPids, tempPaths: this.#tempPaths } = JSON.parse(line) as { pids: number[]; tempPaths: string[] });
    return this.workerPids;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.child.kill('SIGKILL');
    for (const pid of this.workerPids) if (!isGone(pid)) process.kill(pid, 'SIGKILL');
    await this.exited;
    // A controller killed by a signal could not remove its temp folders.
    for (const path of this.#tempPaths) await rm(path, { recursive: true, force: true });
  }
}

describe('a controller process with a local grid', () => {
  it('with display on, prints every worker line on its own streams prefixed [host/slot]', async () => {
    await using controller = new Controller('exit');
    const pids = await controller.started();
    expect(await controller.exited).toEqual({ code: 0, signal: null });
    expect(pids).toHaveLength(2);
    expect(controller.stdout).toContain(`[local/0] hello from ${pids[0]}\n`);
    expect(controller.stdout).toContain(`[local/1] hello from ${pids[1]}\n`);
    expect(controller.stderr).toContain('[local/0] hello to stderr\n');
    expect(controller.stderr).toContain('[local/1] hello to stderr\n');
    expect(await stillRunning(pids, 5_000)).toEqual([]);
  });

  it('stops its workers before it dies of SIGTERM, even workers too busy to notice their channel closing, and removes its temp folders', async () => {
    await using controller = new Controller('busy');
    const pids = await controller.started();
    expect(pids.every((pid) => !isGone(pid))).toBe(true);
    expect(controller.tempPaths.every((path) => existsSync(path))).toBe(true);
    controller.child.kill('SIGTERM');
    expect(await controller.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await stillRunning(pids, 5_000)).toEqual([]);
    expect(controller.tempPaths.filter((path) => existsSync(path))).toEqual([]);
  });

  it('stops its workers before it dies of SIGINT, even busy ones', async () => {
    await using controller = new Controller('busy');
    const pids = await controller.started();
    controller.child.kill('SIGINT');
    expect(await controller.exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(await stillRunning(pids, 5_000)).toEqual([]);
  });

  it('leaves its grid serving when the program handles SIGTERM itself', async () => {
    await using controller = new Controller('handled');
    const pids = await controller.started();
    controller.child.kill('SIGTERM');
    expect(await controller.exited).toEqual({ code: 0, signal: null });
    expect(controller.stdout).toContain(`{"after":[${pids.join(',')}]}`);
    expect(await stillRunning(pids, 5_000)).toEqual([]);
  });

  it('leaves no worker behind when it is killed with SIGKILL, even workers busy in a long synchronous call', async () => {
    await using controller = new Controller('busy');
    const pids = await controller.started();
    controller.child.kill('SIGKILL');
    await controller.exited;
    // The workers are 60 s into a synchronous loop: only their parent watch can stop them now.
    expect(await stillRunning(pids, 10_000)).toEqual([]);
  }, 30_000);

  it('leaves no worker behind when it is killed with SIGKILL: the workers see their channel close and exit', async () => {
    await using controller = new Controller('wait');
    const pids = await controller.started();
    controller.child.kill('SIGKILL');
    await controller.exited;
    expect(await stillRunning(pids, 10_000)).toEqual([]);
  });
});

describe('heartbeats over the local transport', () => {
  it('does not declare a worker lost while it is busy in a long synchronous call', async () => {
    const { Grid } = await import('@hostgrid/core');
    const { localTransport } = await import('./local-transport.js');
    await using grid = await Grid.start({ hosts: [{ name: 'local', slots: 1 }], transport: localTransport(), heartbeat: { intervalMs: 25, misses: 3 } });
    const lost: unknown[] = [];
    grid.on('server-lost', (server) => lost.push(server));
    const id = await grid.publish({ module: new URL('./fixtures/chatty.mjs', import.meta.url), export: 'Spinner' });
    const proxy = await grid.acquireService<{ spin(ms: number): string }>(id);
    expect(await proxy.spin(1_000)).toBe('spun');
    await sleep(100);
    expect(lost).toEqual([]);
    expect(await proxy.spin(1)).toBe('spun');
  });
});

describe('setLoader over the local transport', () => {
  it('restarts every worker from the custom entry it stages, once nothing is published', async () => {
    const { Grid } = await import('@hostgrid/core');
    const { localTransport } = await import('./local-transport.js');
    const loader = fileURLToPath(new URL('./fixtures/loader.mjs', import.meta.url));
    const module = new URL('./fixtures/chatty.mjs', import.meta.url);
    const grid = await Grid.start({ hosts: [{ name: 'local', slots: 2 }], transport: localTransport() });
    try {
      const before = await grid.publish({ module, export: 'Loaded' });
      expect(await grid.gather(grid.broadcast(before, 'by'))).toEqual(['bundled runtime', 'bundled runtime']);
      const oldPids = grid.servers(before).map((server) => server.pid);
      await expect(grid.setLoader(loader)).rejects.toThrow(/setLoader must come before publish: Loaded.1 already published/);
      await grid.terminate(before);
      await grid.setLoader(loader);
      const after = await grid.publish({ module, export: 'Loaded' });
      expect(await grid.gather(grid.broadcast(after, 'by'))).toEqual(['custom loader', 'custom loader']);
      expect(grid.servers(after).map((server) => server.pid)).not.toEqual(oldPids);
      expect(await stillRunning(oldPids, 5_000)).toEqual([]);
    } finally {
      await grid.terminate({ cleanup: true });
    }
  });
});
