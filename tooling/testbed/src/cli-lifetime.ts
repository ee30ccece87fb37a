/**
 * How the CLI's `up` commands live and how its `down` commands end them: run until
 * SIGINT or SIGTERM, then tear down; SIGTERM to the owners of running test beds, then
 * wait for them to exit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ownerAlive } from './network.js';

/**
 * Keeps the process alive until SIGINT or SIGTERM, then awaits `teardown` and reports on
 * stderr how long it took (`hostgrid-testbed: <done> in N ms`). A second signal during
 * the teardown is ignored, so that it is not cut short.
 */
export async function runUntilSignalled(teardown: () => Promise<void>, done: string): Promise<void> {
  // The test bed's child processes do not keep node alive on purpose; this does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  const stopping = performance.now();
  try {
    await teardown();
  } finally {
    clearInterval(keepAlive);
  }
  process.stderr.write(`hostgrid-testbed: ${done} in ${(performance.now() - stopping).toFixed(0)} ms\n`);
}

/** A process that owns a test bed: its pid and start time (so a reused pid is not it). */
export interface OwnerProcess {
  readonly pid: number;
  readonly start: number;
}

/**
 * Sends SIGTERM to each owner and waits until all have exited (they stop their test beds
 * first).
 *
 * @param what - names the owners in the error, e.g. `"slurm up"`.
 * @throws Error naming the pids still running after `timeoutMs`.
 * @default timeoutMs 30000
 */
export async function terminateOwners(owners: readonly OwnerProcess[], what: string, timeoutMs = 30_000): Promise<void> {
  for (const owner of owners) process.kill(owner.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (owners.some(ownerAlive)) {
    if (Date.now() > deadline) {
      const running = owners.filter(ownerAlive).map((owner) => owner.pid).join(' ');
      throw new Error(`${what} processes still running after ${timeoutMs / 1000} s: ${running}`);
    }
    await sleep(50);
  }
}
