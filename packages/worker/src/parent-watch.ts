import { Worker } from 'node:worker_threads';

/** Runs in its own thread, so that it acts while the main thread is busy in user code. */
const WATCH = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
setInterval(() => {
  if (process.ppid === workerData.parent) return;
  try {
    writeSync(2, '[hostgrid-worker] its controller (parent process ' + workerData.parent + ') is gone: exiting\\n');
  } catch {}
  process.kill(process.pid, 'SIGKILL');
}, workerData.intervalMs);
`;

/**
 * Ends this process soon after its parent dies, even while its main thread is stuck in
 * a long synchronous call that would otherwise keep computing for no one. The parent is
 * the controller (local transport) or the sshd session serving the controller's
 * connection (SSH); when it goes, the worker is re-parented and its parent pid changes.
 * A thread polls that every `intervalMs` (~20 ms to start, off the path to `ready`).
 *
 * @param parent - the parent pid to watch, read when the process started
 */
export function watchParent(parent: number, intervalMs = 250): void {
  const thread = new Worker(WATCH, { eval: true, workerData: { parent, intervalMs } });
  thread.unref();
  // Best effort: the channel's end and the watchdog still stop the worker without it.
  thread.on('error', () => undefined);
}
