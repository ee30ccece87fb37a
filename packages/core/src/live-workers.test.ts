import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { type LiveWorker, LiveWorkers } from './live-workers.js';

/** A real process as a transport's worker: `sleep 60`, gone once it has closed. */
function sleeper(): LiveWorker & { exited: () => boolean } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  started.push(child);
  const gone = once(child, 'close').then(() => undefined);
  return { kill: () => child.kill('SIGKILL'), gone, exited: () => child.signalCode !== null || child.exitCode !== null };
}
const started: ReturnType<typeof spawn>[] = [];

describe('LiveWorkers', () => {
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('drops a worker once it is gone by itself', async () => {
    const live = new LiveWorkers();
    const worker = live.add(sleeper());
    expect(live.size).toBe(1);
    worker.kill();
    await worker.gone;
    await Promise.resolve();
    expect(live.size).toBe(0);
  });

  it('killAll kills every running worker and resolves once all are gone', async () => {
    const live = new LiveWorkers<ReturnType<typeof sleeper>>();
    const workers = [live.add(sleeper()), live.add(sleeper()), live.add(sleeper())];
    await live.killAll();
    expect(workers.map((worker) => worker.exited())).toEqual([true, true, true]);
    expect(live.size).toBe(0);
    await live.killAll();
  });
});
